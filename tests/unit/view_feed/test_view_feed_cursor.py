"""View feed cursors: opaque, bound to one view, every malformation refused as `cursor`."""

from __future__ import annotations

import base64
import json

import pytest

from services.view_feed.domain.cursor import Cursor, read_cursor
from services.view_feed.exceptions import CursorError

AGENCY = "school-100001"


def forged(document: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).decode().rstrip("=")


class TestCursor:
    def test_a_cursor_reads_back_as_it_was_given(self):
        """Encoded and read again, a cursor names the same offsets."""
        cursor = Cursor(AGENCY).moved_to({0: 12, 2: 7})
        again = read_cursor(cursor.encode(), AGENCY)
        assert dict(again.offsets) == {0: 12, 2: 7}
        assert again.start(1) == 0

    def test_no_cursor_is_the_beginning(self):
        """Without a cursor every partition is read from its start."""
        assert read_cursor(None, AGENCY).start(5) == 0
        assert read_cursor("", AGENCY).offsets == {}

    def test_moving_keeps_partitions_the_page_did_not_touch(self):
        """A page's positions replace only their own partitions' offsets."""
        moved = Cursor(AGENCY).moved_to({0: 3, 1: 4}).moved_to({1: 9})
        assert dict(moved.offsets) == {0: 3, 1: 9}

    def test_the_text_is_url_safe(self):
        """A cursor goes in a query string as it is."""
        text = Cursor(AGENCY).moved_to({n: 10**12 + n for n in range(40)}).encode()
        assert set(text) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


class TestForgedCursors:
    @pytest.mark.parametrize(
        "text",
        [
            "%%%",
            "AAAA",
            "é",
            forged([1, 2]),
            forged({"v": 1, "a": AGENCY, "o": [[0, -1]]}),
            forged({"v": 1, "a": AGENCY, "o": [[0, True]]}),
            forged({"v": 1, "a": AGENCY, "o": [[0, 1.5]]}),
            forged({"v": 1, "a": AGENCY, "o": [[0, 1], [0, 2]]}),
            forged({"v": 1, "a": AGENCY, "o": [[0]]}),
            forged({"v": 1, "a": AGENCY, "o": {"0": 1}}),
            forged({"v": 1, "a": AGENCY, "o": [[0, 2**63]]}),
            forged({"v": 2, "a": AGENCY, "o": []}),
        ],
    )
    def test_a_cursor_the_feed_did_not_give_out_is_refused(self, text):
        """Garbage, other shapes, negative or huge offsets, other versions: all `cursor` errors."""
        with pytest.raises(CursorError, match=r"^cursor: ") as refused:
            read_cursor(text, AGENCY)
        assert refused.value.field == "cursor"

    def test_another_views_cursor_is_refused(self):
        """A cursor of another agency's view does not move this one."""
        with pytest.raises(CursorError, match="another view"):
            read_cursor(Cursor("police-west").encode(), AGENCY)

    def test_an_overlong_cursor_is_refused_before_it_is_read(self):
        """More than 4096 characters is refused by its length alone."""
        with pytest.raises(CursorError, match="at most 4096"):
            read_cursor("A" * 4097, AGENCY)
