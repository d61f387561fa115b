"""Use cases composed from domain and storage; each opens its own session and returns frozen data."""
