"""API adapters: each owns only its wire format and calls the domain services."""
