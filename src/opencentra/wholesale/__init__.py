"""Wholesale: accounts, buyers and delivery windows."""
