"""Dead letters keep the record as it came and say why, without its content in headers."""

from __future__ import annotations

from services.bus.deadletter import dead_letter
from services.bus.records import Incoming


class TestDeadLetter:
    def test_record_goes_to_its_sources_dead_letter_topic_with_the_reason(self):
        """An ingest record lands on deadletter.<agency>, bytes unchanged, reason in headers."""
        record = Incoming("ingest.school-100001", 2, 41, b"cr1_x", b"\x07garbage")
        out = dead_letter(record, "undecodable", "message does not start with 0x00")
        assert out.topic == "deadletter.school-100001"
        assert (out.key, out.value) == (b"cr1_x", b"\x07garbage")
        headers = dict(out.headers)
        assert headers["joinedup.reason"] == b"undecodable"
        assert headers["joinedup.source.offset"] == b"41"
        assert headers["joinedup.source.partition"] == b"2"


class TestTopicPolicy:
    def test_changelogs_and_consent_topics_are_compacted_and_the_audit_never_expires(self):
        """Topic settings come from one place: compacted state, an audit kept for ever."""
        from services.bus import topics  # noqa: PLC0415 - the unit under test

        assert topics.topic_config(topics.changelog("joinedup-router")) == {
            "cleanup.policy": "compact"
        }
        assert topics.topic_config(topics.CONSENT_DIRECTIVES) == {"cleanup.policy": "compact"}
        assert topics.topic_config(topics.AUDIT_DISCLOSURES) == {
            "retention.ms": "-1",
            "retention.bytes": "-1",
        }
        assert topics.topic_config(topics.view("school-1")) == {"retention.ms": "2592000000"}
