"""Order API (REST integration API for WMS, ERP and returns systems)."""
