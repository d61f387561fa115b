"""Chaos fixtures: PostgreSQL scratch databases (from the hub tests) and the slow marker."""

from __future__ import annotations

import pytest

from tests.hub.conftest import pg_template, pg_url

__all__ = ["pg_template", "pg_url"]


def pytest_configure(config: pytest.Config) -> None:
    """Register `slow` until pyproject does (registering it twice is harmless)."""
    config.addinivalue_line("markers",
                            "slow: bounded long-running tests (chaos); deselect with -m 'not slow'")
