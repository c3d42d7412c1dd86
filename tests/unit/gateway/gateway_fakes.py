"""Fakes of the gateway unit tests: a producer recording what it is given, JSON events."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta


@dataclass(frozen=True)
class Sent:
    topic: str
    value: bytes | None
    key: bytes | None
    headers: list | None
    partition: int
    offset: int


@dataclass
class FakeProducer:
    sent: list[Sent] = field(default_factory=list)

    async def send(self, topic, value=None, key=None, headers=None):
        record = Sent(topic, value, key, headers, 0, len(self.sent))
        self.sent.append(record)
        future = asyncio.get_running_loop().create_future()
        future.set_result(record)
        return future

    async def send_and_wait(self, topic, value=None, key=None, headers=None):
        return await (await self.send(topic, value, key, headers))


def attendance_json(agency="school-100001", **changes):
    now = datetime.now(UTC) - timedelta(hours=1)
    event = {
        "event_id": str(uuid.uuid4()),
        "event_type": "AttendanceMarked",
        "occurred_at": now.isoformat(),
        "recorded_at": now.isoformat(),
        "source": {"agency": agency, "system": "sims", "practitioner_role": None},
        "child_ref": "cr1_" + "a" * 32,
        "school": agency,
        "session_date": (now.date() - timedelta(days=1)).isoformat(),
        "session": "AM",
        "register_code": "N",
    }
    return event | changes
