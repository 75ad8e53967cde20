"""integration domain."""
