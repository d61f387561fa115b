"""Benchmarks (plain scripts, not tests); run them with `make bench`."""
