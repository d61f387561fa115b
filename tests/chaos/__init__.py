"""Chaos tests: hub and desks killed at random moments while scans flow."""
