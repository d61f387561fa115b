"""Tables for registration import: mapping presets, import runs, private contact data."""

from __future__ import annotations

from checkin_app.storage.models import Base

__all__ = ["Base"]
