"""Every consent service test here runs on a fresh audit database of its own.

The service opens its audit index at start from DatabaseSettings: the test's
database (tests/conftest.py `audit_db_url`) is given as JOINEDUP_DATABASE_URL,
which the processes a test starts inherit too.
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def audit_database(audit_db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The test's audit database, as the consent service will find it."""
    monkeypatch.setenv("JOINEDUP_DATABASE_URL", audit_db_url)
    return audit_db_url
