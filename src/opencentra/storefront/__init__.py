"""Checkout use cases: the shopper's session, the cart, paying, and placing the order.

Every API that sells to shoppers calls these: the Checkout API with its
session token (a ``Visitor``), the Shop API with a selection id (a
``SelectionKey``); both are a ``Cart`` (``storefront.storefront``) and reach the same function.
The rules about prices, vouchers, stock and payments live here or in the
domains they name (``pricing``, ``inventory``, ``payments``, ``orders``),
never in an adapter. Each use case is one function that opens one transaction.
"""
