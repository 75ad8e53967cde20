"""Demo data for trying OpenCentra and for benchmarks."""
