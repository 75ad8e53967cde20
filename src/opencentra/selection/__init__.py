"""selection domain."""
