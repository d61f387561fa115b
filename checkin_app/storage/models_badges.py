"""Tables for badges and printing: the print queue and the print log."""

from __future__ import annotations

from checkin_app.storage.models import Base

__all__ = ["Base"]
