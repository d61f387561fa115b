"""The hub: an HTTP service that holds the single truth for all desks, and its web dashboard."""
