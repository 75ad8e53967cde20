"""Subscription plans: an interval and a discount, offered on displays and chosen per selection line."""
