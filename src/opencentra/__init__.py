"""OpenCentra: self-hostable headless commerce that speaks Centra's APIs."""

__version__ = "0.1.0"
