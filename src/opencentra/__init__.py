"""OpenCentra."""
