"""Check-in desk: scan delegates' codes, decide admission, record it, print badges."""

__version__ = "0.1.0"
