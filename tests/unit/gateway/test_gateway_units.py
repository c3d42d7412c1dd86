import uuid

import pytest
from fakes.agency_json import attendance_json

from schemas.exceptions import EventValidationError
from services.config.files import packaged_default
from services.gateway.adapters.json_body import JsonLimits, read_documents
from services.gateway.adapters.json_events import JsonEventParser
from services.gateway.domain.idempotency import SeenEvents, Stored
from services.gateway.domain.publishers import PublisherDirectory, token_digest
from services.gateway.exceptions import (
    ForbiddenAgencyError,
    GatewayError,
    MalformedBodyError,
    UnauthenticatedError,
)
from services.gateway.handlers import check_publisher, identifier_pairs


def parse_documents(body, content_type):
    return read_documents(body, content_type, JsonLimits())


class TestParseDocuments:
    def test_one_object_is_a_batch_of_one(self):
        """A single JSON object is read as one event."""
        assert parse_documents(b'{"a": 1}', "application/json") == [{"a": 1}]

    def test_an_array_is_a_batch(self):
        """A JSON array is read as a batch, in order."""
        assert parse_documents(b'[{"a": 1}, {"a": 2}]', "application/json") == [{"a": 1}, {"a": 2}]

    def test_ndjson_skips_blank_lines(self):
        """NDJSON is one object per line; blank lines are ignored."""
        body = b'{"a": 1}\n\n{"a": 2}\n'
        assert parse_documents(body, "application/x-ndjson; charset=utf-8") == [{"a": 1}, {"a": 2}]

    @pytest.mark.parametrize(
        ("body", "message"),
        [(b"", "empty"), (b"[]", "no events"), (b"{nope", "not valid JSON"), (b"\xff", "UTF-8")],
    )
    def test_bad_bodies_are_malformed(self, body, message):
        """Empty, eventless, broken or non-UTF-8 bodies are refused with the reason."""
        with pytest.raises(MalformedBodyError, match=message):
            parse_documents(body, "application/json")


class TestPublisherDirectory:
    def test_authenticates_a_known_token(self, tmp_path):
        """A bearer token whose digest is configured publishes as its agency."""
        path = tmp_path / "publishers.yaml"
        path.write_text(
            f"publishers:\n  - agency: school-1\n    token_sha256: {token_digest('t-1')}\n"
        )
        directory = PublisherDirectory.from_file(path)
        assert directory.authenticate("Bearer t-1") == "school-1"
        assert directory.agencies == ("school-1",)

    @pytest.mark.parametrize("header", [None, "", "Basic t-1", "Bearer ", "Bearer t-2"])
    def test_refuses_missing_or_unknown_tokens(self, header):
        """No token, another scheme or an unknown token is unauthenticated."""
        directory = PublisherDirectory({token_digest("t-1"): "school-1"})
        with pytest.raises(UnauthenticatedError):
            directory.authenticate(header)

    def test_refuses_a_malformed_file(self, tmp_path):
        """An entry without a token digest is a clear configuration error."""
        path = tmp_path / "publishers.yaml"
        path.write_text("publishers:\n  - agency: school-1\n")
        with pytest.raises(GatewayError, match=r"publishers\[0\]"):
            PublisherDirectory.from_file(path)

    def test_development_tokens_match_the_shipped_file(self):
        """The packaged publishers.yaml accepts dev-token-<agency> for each agency."""
        directory = PublisherDirectory.from_file(packaged_default("publishers.yaml"))
        for agency in directory.agencies:
            assert directory.authenticate(f"Bearer dev-token-{agency}") == agency


class TestSeenEvents:
    def test_remembers_receipts(self):
        """A remembered event id returns its receipt and body digest."""
        seen = SeenEvents[str](capacity=2)
        seen.remember("school-1", "a", Stored("receipt-a", b"digest"))
        assert seen.get("school-1", "a") == Stored("receipt-a", b"digest")
        assert seen.get("school-1", "b") is None

    def test_ids_are_per_agency(self):
        """One agency's event id is unknown to another agency."""
        seen = SeenEvents[str]()
        seen.remember("school-1", "a", Stored("receipt-a", b"digest"))
        assert seen.get("school-2", "a") is None

    def test_forgets_the_oldest_beyond_capacity(self):
        """Past capacity, the least recently remembered id is forgotten first."""
        seen = SeenEvents[str](capacity=2)
        for event_id in "abc":
            seen.remember("school-1", event_id, Stored(event_id, b""))
        assert [getattr(seen.get("school-1", e), "receipt", None) for e in "abc"] == [
            None,
            "b",
            "c",
        ]


class TestJsonEventParser:
    def test_parses_iso_text_into_avro_values(self):
        """ISO dates and UUIDs in JSON become date, datetime and UUID values."""
        record = JsonEventParser()(attendance_json())
        assert isinstance(record["event_id"], uuid.UUID)
        assert record["occurred_at"].tzinfo is not None

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"event_type": "AlertRaised"}, "event_type"),
            ({"session": "EVE"}, "session"),
            ({"source": {"agency": "x", "system": 1}}, "source.system"),
            ({"occurred_at": "2025-01-01T09:00:00"}, "occurred_at"),
        ],
    )
    def test_names_the_field_of_a_bad_value(self, changes, field):
        """A type or shape breach names the dotted field path."""
        with pytest.raises(EventValidationError) as caught:
            JsonEventParser()(attendance_json(**changes))
        assert caught.value.field == field


class TestIdentifierPairs:
    def test_one_object_or_a_list(self):
        """`identifier` may be one {kind, value} or a list of them."""
        one = {"kind": "upn", "value": "A1"}
        assert identifier_pairs(one) == [("upn", "A1")]
        assert identifier_pairs([one, {"kind": "nhs_number", "value": "9"}])[1][0] == "nhs_number"

    @pytest.mark.parametrize("value", [None, "A1", {"kind": "upn"}, [], {"kind": 1, "value": "x"}])
    def test_refuses_other_shapes(self, value):
        """Anything else is a validation error on `identifier`, value not echoed."""
        with pytest.raises(EventValidationError) as caught:
            identifier_pairs(value)
        assert caught.value.field == "identifier"
        assert "A1" not in str(caught.value)


class TestCheckPublisher:
    def test_refuses_another_agency(self):
        """An event claiming another agency is forbidden, naming its index."""
        with pytest.raises(ForbiddenAgencyError, match="event 3"):
            check_publisher(attendance_json("police-west"), "school-100001", 3)

    def test_refuses_a_publisher_field_naming_another_agency(self):
        """A field that must name the publisher (x-agency: publisher) is checked too."""
        event = attendance_json(school="school-100002")
        fields = JsonEventParser().agency_fields(event)
        with pytest.raises(ForbiddenAgencyError, match="school 'school-100002'"):
            check_publisher(event, "school-100001", 0, fields)

    def test_accepts_own_agency(self):
        """The token's own agency passes."""
        check_publisher(attendance_json(), "school-100001", 0)
