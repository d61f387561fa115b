"""Chaos fixtures: PostgreSQL scratch databases, the same as the hub tests use."""

from __future__ import annotations

from tests.hub.conftest import pg_template, pg_url

__all__ = ["pg_template", "pg_url"]
