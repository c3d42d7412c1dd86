"""The per-child store every stateful processor shares: partitions, lazy decoding, timers."""

from __future__ import annotations

import datetime as dt

import pytest

from services.bus.child_store import DUE_HEADER, ChildStore, NotOwnedError, StateCodec

UTC = dt.UTC


class CountingCodec:
    """Encodes ints, counting how often it is asked to decode."""

    def __init__(self) -> None:
        self.loads = 0

    def load(self, raw: bytes) -> int:
        self.loads += 1
        return int(raw)

    def codec(self) -> StateCodec[int]:
        return StateCodec(lambda n: str(n).encode(), self.load)


class TestChildStore:
    def test_put_returns_the_changelog_record_on_the_childs_partition(self):
        """A change comes back as the record to write: compacted topic, key, partition."""
        store = ChildStore("app-children", CountingCodec().codec())
        store.begin([2])
        out = store.put(2, "child-a", 7)
        assert (out.topic, out.key, out.value, out.partition) == (
            "app-children",
            b"child-a",
            b"7",
            2,
        )
        assert store.get(2, "child-a") == 7

    def test_a_partition_not_held_is_an_error_not_an_empty_child(self):
        """Asking for state of a partition never restored is a bug, not a new child."""
        store = ChildStore("app-children", CountingCodec().codec())
        store.begin([0])
        assert store.get(0, "unknown") is None
        with pytest.raises(NotOwnedError):
            store.get(1, "child-a")
        with pytest.raises(NotOwnedError):
            store.put(1, "child-a", 1)

    def test_restored_values_are_decoded_once_on_first_use(self):
        """Restore keeps bytes; the first get decodes, later gets reuse the value."""
        counting = CountingCodec()
        store = ChildStore("app-children", counting.codec())
        store.begin([0])
        store._apply(0, b"child-a", b"41", None)
        store._apply(0, b"child-b", b"5", None)
        assert counting.loads == 0
        assert store.get(0, "child-a") == 41
        assert store.get(0, "child-a") == 41
        assert counting.loads == 1

    def test_a_tombstone_removes_the_child(self):
        """A null changelog value deletes the child's state."""
        store = ChildStore("app-children", CountingCodec().codec())
        store.begin([0])
        store._apply(0, b"child-a", b"1", None)
        store._apply(0, b"child-a", None, None)
        assert store.get(0, "child-a") is None

    def test_timers_come_from_the_due_header_without_decoding(self):
        """The due header marks children with a timer; due() lists those due by now."""
        counting = CountingCodec()
        store = ChildStore("app-children", counting.codec())
        store.begin([0, 1])
        soon = dt.datetime(2026, 9, 7, 8, 30, tzinfo=UTC)
        later = soon + dt.timedelta(days=1)
        store._apply(0, b"child-a", b"1", [(DUE_HEADER, soon.isoformat().encode())])
        store._apply(1, b"child-b", b"1", [(DUE_HEADER, later.isoformat().encode())])
        assert store.due(soon) == [(0, "child-a")]
        assert counting.loads == 0
        out = store.put(0, "child-a", 2)  # no timer any more
        assert out.headers == ()
        assert store.due(later) == [(1, "child-b")]

    def test_put_with_a_due_time_writes_the_header(self):
        """A state with a timer carries when it fires, for the next restore."""
        store = ChildStore("app-children", CountingCodec().codec())
        store.begin([0])
        at = dt.datetime(2026, 9, 7, 8, 30, tzinfo=UTC)
        out = store.put(0, "child-a", 1, due=at)
        assert out.headers == ((DUE_HEADER, at.isoformat().encode()),)
        assert store.due(at) == [(0, "child-a")]

    def test_drop_forgets_partitions_and_their_timers(self):
        """A revoked partition's children and timers are gone."""
        store = ChildStore("app-children", CountingCodec().codec())
        store.begin([0, 1])
        at = dt.datetime(2026, 9, 7, tzinfo=UTC)
        store.put(0, "child-a", 1, due=at)
        store.put(1, "child-b", 1, due=at)
        store.drop([0])
        assert store.partitions == frozenset({1})
        assert store.due(at) == [(1, "child-b")]
        assert store.children() == 1
