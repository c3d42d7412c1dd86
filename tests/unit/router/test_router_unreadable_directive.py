"""A consent directive the router cannot read fails closed: it stands as an objection."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from rigs.router import Router, attendance

from consent.domain.directive import ConsentDirective, RecordedBy
from consent.domain.period import Period
from consent.records import directive_record
from services.router.domain.unreadable_directive import FAIL_SAFE_ROLE

CHILD = "cr1_" + "d" * 32
AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def directive(kind: str, purpose: str | None = None) -> ConsentDirective:
    """A directive for CHILD, as the consent service records it (id dir-7)."""
    return ConsentDirective(
        id="dir-7",
        child_ref=CHILD,
        kind=kind,
        purpose=purpose,
        period=Period(start=datetime(2025, 1, 1, tzinfo=UTC)),
        recorded_by=RecordedBy(role="consent-officer", agency="la-education"),
        recorded_at=AT,
    )


def unreadable(record: dict) -> dict:
    """The record as a newer consent service might write it: a field this router lacks."""
    payload = json.loads(record["payload"])
    payload["except_recipients"] = ["la-education"]
    return {**record, "payload": json.dumps(payload)}


class TestUnreadableDirective:
    def test_it_stands_as_an_objection_and_is_dead_lettered(self):
        """Nothing is disclosed on a public-task basis; the record goes to the dead letter."""
        router = Router()
        record = unreadable(directive_record(directive("withdrawn", "early-help")))
        written = router.publish("ConsentDirectiveRecorded", record)
        letters = [o for o in written if o.topic.startswith("deadletter.")]
        assert len(letters) == 1
        assert dict(letters[0].headers)["joinedup.reason"] == b"unreadable-directive"
        state = router.processor.store.get(0, CHILD)
        [standing] = state.directives
        assert (standing.id, standing.kind, standing.purpose, standing.recipient) == (
            "dir-7",
            "objection",
            None,
            None,
        )
        assert standing.recorded_by.role == FAIL_SAFE_ROLE
        shown = router.publish("AttendanceMarked", attendance(CHILD, "school-1"))
        assert router.decoded(shown, "view.la-education") == []
        [audit] = router.decoded(shown, "audit.disclosures")
        assert audit["decision"] == "deny"

    def test_a_readable_version_of_the_same_directive_replaces_it(self):
        """The officer re-records the directive in a form the router reads: sharing resumes."""
        router = Router()
        router.publish("ConsentDirectiveRecorded", unreadable(directive_record(directive("given"))))
        router.publish("ConsentDirectiveRecorded", directive_record(directive("given"), 2))
        shown = router.publish("AttendanceMarked", attendance(CHILD, "school-1"))
        assert len(router.decoded(shown, "view.la-education")) == 1
