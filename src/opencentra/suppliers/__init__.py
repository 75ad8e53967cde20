"""Supplier module: purchase orders to suppliers and the deliveries that bring the goods in."""
