"""Checkout use cases: the shopper's session, the cart, paying, and placing the order.

Every API that sells to shoppers (the Checkout API today) calls these; the
rules about prices, vouchers, stock and payments live here or in the domains
they name (``pricing``, ``inventory``, ``payments``, ``orders``), never in an
adapter. Each use case is one function that opens one transaction.
"""
