"""Shop API (stateless server-mode webshop API, selections by id)."""
