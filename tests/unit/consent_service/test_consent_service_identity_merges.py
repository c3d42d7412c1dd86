"""Identity stewards' use cases with a hand-written publisher: what is published or refused."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from schemas.codec import AvroCodec
from schemas.schema_source import InMemorySchemaSource
from services.consent.exceptions import ConflictError, InvalidRequestError, NotFoundError
from services.consent.identity_merges import (
    MergeRequest,
    MergeService,
    UnmergeRequest,
    list_merges,
    merge_children,
    unmerge_children,
)
from services.identity.domain.merges import MergeLedger

A, B, C = ("cr1_" + letter * 32 for letter in "abc")
NOW = datetime(2026, 11, 4, 12, 0, 0, 123_456, tzinfo=UTC)


class RecordingPublisher:
    """Keeps what it is given; encodes each record to prove it fits the contract."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any], str]] = []
        self._codec = AvroCodec(InMemorySchemaSource())

    async def publish(self, event_type: str, record: dict[str, Any], absorbed: str) -> None:
        self._codec.encode(event_type, record)
        self.sent.append((event_type, record, absorbed))


@pytest.fixture
def service() -> MergeService:
    return MergeService(MergeLedger(), RecordingPublisher(), clock=lambda: NOW)


def request(surviving: str = B, absorbed: str = A) -> MergeRequest:
    return MergeRequest(surviving_child_ref=surviving, absorbed_child_ref=absorbed, reason="same")


class TestMerge:
    async def test_a_merge_is_published_keyed_by_the_absorbed_ref_then_remembered(self, service):
        """ChildRefsMerged with the steward's name; the ledger forwards A to B."""
        merge = await merge_children(service, "Sam Steward", request())
        [(event_type, record, key)] = service.publisher.sent
        assert (event_type, key, record["child_ref"]) == ("ChildRefsMerged", A, A)
        assert (record["steward"], record["merge_id"]) == ("Sam Steward", merge.merge_id)
        assert record["decided_at"] == NOW.replace(microsecond=123_000)
        assert service.ledger.survivor(A) == B

    @pytest.mark.parametrize(
        ("surviving", "absorbed", "field"),
        [
            ("943 476 5919", A, "surviving_child_ref"),
            (B, "cr1_short", "absorbed_child_ref"),
        ],
    )
    async def test_a_malformed_ref_is_refused_naming_its_field(
        self, service, surviving, absorbed, field
    ):
        """A raw identifier or a broken ref is a 422 naming which ref."""
        with pytest.raises(InvalidRequestError) as caught:
            await merge_children(service, "s", request(surviving, absorbed))
        assert caught.value.field == field
        assert service.publisher.sent == []

    async def test_the_same_ref_twice_is_a_422_and_an_absorbed_survivor_a_409(self, service):
        """Rule breaches of the request and conflicts with merges in force differ."""
        with pytest.raises(InvalidRequestError):
            await merge_children(service, "s", request(A, A))
        await merge_children(service, "s", request(B, A))
        with pytest.raises(ConflictError) as caught:
            await merge_children(service, "s", request(A, C))
        assert caught.value.field == "surviving_child_ref"
        assert len(service.publisher.sent) == 1


class TestUnmerge:
    async def test_an_unmerge_is_published_and_the_ref_is_its_own_again(self, service):
        """ChildRefsUnmerged names the merge; the ledger no longer forwards A."""
        merge = await merge_children(service, "s", request())
        undone = await unmerge_children(
            service, "t", merge.merge_id, UnmergeRequest(reason="two children")
        )
        assert undone.unmerged is not None
        assert undone.unmerged.steward == "t"
        assert service.publisher.sent[-1][0] == "ChildRefsUnmerged"
        assert service.ledger.survivor(A) == A
        assert [m.merge_id for m in list_merges(service, A)] == [merge.merge_id]

    async def test_an_unknown_merge_is_a_404_naming_merge_id(self, service):
        """Nothing is published for a merge nobody decided."""
        with pytest.raises(NotFoundError) as caught:
            await unmerge_children(service, "s", "no-such", UnmergeRequest(reason="x"))
        assert caught.value.field == "merge_id"
        assert service.publisher.sent == []
