"""Desk-side sync: the protocol shared with the hub, the sync client and offline bundles."""
