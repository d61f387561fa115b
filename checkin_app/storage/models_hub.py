"""Tables for the hub and sync: enrolled desks, the change log with hub sequence numbers, sync cursors."""

from __future__ import annotations

from checkin_app.storage.models import Base

__all__ = ["Base"]
