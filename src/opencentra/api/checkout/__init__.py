"""Checkout API (hybrid client/server webshop API with shopper sessions)."""
