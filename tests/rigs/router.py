"""The router's processor in process (no broker), for unit tests of what one record writes.

Its chain tail starts at GENESIS, its policy holds one public-task agreement
(attendance to the LA), and the hand-over records it writes are read back at
once, as the surviving child's worker would read them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from consent.domain import Agency, AgencyDirectory, AgencySelector, RecipientSelector
from consent.domain.agreement import SharingAgreement
from schemas.catalogue import Catalogue
from schemas.codec import AvroCodec
from schemas.samples import sample_event
from schemas.schema_source import InMemorySchemaSource
from services.audit.chain import GENESIS
from services.audit.chain_tails import ChainTails
from services.bus.records import Incoming, Outgoing
from services.bus.settings import BusSettings
from services.router.policy import LivePolicy
from services.router.stage import RouterParts, RouterProcessor, RouterTopics

DIRECTORY = AgencyDirectory(
    agencies=(
        Agency(id="school-1", kind="school", name="School 1", duty_contact="dsl@s1.example"),
        Agency(id="school-2", kind="school", name="School 2", duty_contact="dsl@s2.example"),
        Agency(id="la-education", kind="local-authority", name="LA", duty_contact="la@la.example"),
    )
)
AGREEMENT = SharingAgreement(
    id="isa-attendance",
    version=1,
    title="Attendance to the LA",
    provider=AgencySelector(kind="school"),
    recipient=RecipientSelector(agency="la-education"),
    event_types=frozenset({"AttendanceMarked"}),
    data_classes=frozenset({"operational"}),
    purpose="attendance-support",
    legal_basis="public-task-ca2004-s16la",
    valid_from=datetime(2025, 1, 1, tzinfo=UTC),
)


class Router:
    """The router processor in process, its hand-overs fed back at once."""

    def __init__(self) -> None:
        settings = BusSettings()
        self.codec = AvroCodec(InMemorySchemaSource())
        policy = LivePolicy(DIRECTORY)
        policy.replace([AGREEMENT])
        chain = ChainTails(settings, self.codec, "audit.unit")
        chain.advance(0, GENESIS)
        parts = RouterParts(self.codec, Catalogue.load(), policy, chain, RouterTopics())
        self.processor = RouterProcessor(settings, parts, "router-children", "router-handovers")
        self.processor.store.begin([0])
        self.offset = 0

    def publish(self, event_type: str, event: dict) -> list[Outgoing]:
        """What the record and everything it hands over write."""
        self.offset += 1
        key = str(event["child_ref"]).encode()
        pending = [Incoming("in", 0, self.offset, key, self.codec.encode(event_type, event))]
        written: list[Outgoing] = []
        while pending:
            outputs = [o for r in pending for o in self.processor.handle(r)]
            written += outputs
            self.offset += 1
            pending = [
                Incoming(o.topic, 0, self.offset, o.key, o.value, o.headers)
                for o in outputs
                if o.topic == self.processor.handovers
            ]
        return written

    def decoded(self, written: list[Outgoing], topic: str) -> list[dict]:
        return [self.codec.decode(o.value) for o in written if o.topic == topic]


def attendance(child_ref: str, agency: str, event_id: str | None = None) -> dict:
    event = sample_event(
        "AttendanceMarked",
        child_ref=child_ref,
        school=agency,
        session_date=date(2026, 3, 2),
        session="AM",
        register_code="/",
    )
    event["source"] = {**event["source"], "agency": agency}
    if event_id is not None:
        event["event_id"] = event_id
    return event
