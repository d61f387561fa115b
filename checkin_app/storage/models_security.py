"""Tables for signed badge codes: signing keys, desk certificates, revocations, manager PINs."""

from __future__ import annotations

from checkin_app.storage.models import Base

__all__ = ["Base"]
