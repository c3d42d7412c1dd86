"""Builders for the alerts unit tests: decoded view records and users, no I/O."""

from __future__ import annotations

import datetime as dt

import pytest

from services.alerts.domain.model import Acknowledgement, Disclosed
from services.alerts.domain.users import DutyUser, token_digest
from services.alerts.samples import alert_record, disclosed_record

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def now() -> dt.datetime:
    return NOW


@pytest.fixture
def make_alert():
    def make(recipient: str = "school-100001", **kwargs) -> Disclosed:
        kwargs.setdefault("due_by", NOW + dt.timedelta(hours=1))
        return Disclosed.from_record(alert_record(recipient, **kwargs))

    return make


@pytest.fixture
def make_evidence():
    def make(recipient: str = "school-100001", event_id: str = "e-1") -> Disclosed:
        fields = {"incident_at": "2026-03-01T22:10:00+00:00", "child_present": True}
        record = disclosed_record(
            recipient, "DomesticAbuseIncidentNotified", fields, event_id=event_id
        )
        return Disclosed.from_record(record)

    return make


@pytest.fixture
def make_ack():
    def make(alert_id: str, agency: str = "school-100001", **kwargs) -> Acknowledgement:
        values = {
            "event_id": f"ack-{alert_id}-{kwargs.get('action', 'acknowledge')}",
            "alert_id": alert_id,
            "agency": agency,
            "child_ref": "c" * 64,
            "action": "acknowledge",
            "at": NOW,
            "by_role": "duty-worker",
            **kwargs,
        }
        return Acknowledgement(**values)

    return make


def _duty_user(user_id: str, name: str, role: str, agency: str = "school-100001") -> DutyUser:
    """A duty user whose token is `t-<id>`."""
    return DutyUser(
        id=user_id, name=name, agency=agency, role=role, token_sha256=token_digest(f"t-{user_id}")
    )


@pytest.fixture
def manager() -> DutyUser:
    return _duty_user("dsl", "DSL", "duty-manager")


@pytest.fixture
def worker() -> DutyUser:
    return _duty_user("worker", "Worker", "duty-worker")


@pytest.fixture
def outsider() -> DutyUser:
    return _duty_user("other", "Other DSL", "duty-manager", agency="school-100002")
