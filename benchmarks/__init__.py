"""OpenCentra's benchmarks; run them all with ``benchmarks/run``."""
