"""The audit search's cursor and filters: pure, no database."""

import base64
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.audit.exceptions import AuditQueryError
from services.audit.index_cursor import DecisionKey, decode_cursor, encode_cursor, key_of
from services.audit.index_filters import DecisionFilters, where
from services.audit.index_queries import checked_limit, page_of

CHILD = "cr1_" + "a" * 32
MOMENTS = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)


def encoded(value: object) -> str:
    return base64.urlsafe_b64encode(repr(value).encode()).decode().rstrip("=")


class TestCursor:
    @given(MOMENTS, st.integers(0, 2**31 - 1), st.integers(0, 2**63 - 1))
    def test_a_key_survives_the_round_trip(self, moment, partition, offset):
        """Whatever the key, decoding its cursor gives it back, to the microsecond."""
        key = DecisionKey(moment, partition, offset)
        assert decode_cursor(encode_cursor(key)) == key

    def test_a_cursor_is_url_safe(self):
        """The cursor can go in a query string as it is."""
        cursor = encode_cursor(DecisionKey(datetime(2026, 3, 2, tzinfo=UTC), 5, 123))
        assert cursor.replace("-", "").replace("_", "").isalnum()

    @pytest.mark.parametrize(
        "cursor",
        [
            "",
            "not base64 !",
            "x" * 201,
            encoded("plain text"),
            base64.urlsafe_b64encode(b'["2026-03-02T09:00:00", 1, 2]').decode(),  # no zone
            base64.urlsafe_b64encode(b'["2026-03-02T09:00:00+00:00", -1, 2]').decode(),
            base64.urlsafe_b64encode(b'["2026-03-02T09:00:00+00:00", 1, 2.5]').decode(),
            base64.urlsafe_b64encode(b'["2026-03-02T09:00:00+00:00", true, 2]').decode(),
            base64.urlsafe_b64encode(b'{"a": 1, "b": 2, "c": 3}').decode(),
            base64.urlsafe_b64encode(b"\xff\xfe").decode(),
            "\u00e9t\u00e9",
        ],
    )
    def test_anything_else_is_refused_naming_cursor(self, cursor):
        """A cursor that is not one we gave is a 422 naming `cursor`, whatever it holds."""
        with pytest.raises(AuditQueryError) as caught:
            decode_cursor(cursor)
        assert caught.value.field == "cursor"

    def test_a_cursor_in_another_zone_means_the_same_instant(self):
        """Keys compare by instant: a key made in +01:00 equals its UTC twin."""
        local = datetime(2026, 3, 2, 10, tzinfo=timezone(timedelta(hours=1)))
        assert decode_cursor(encode_cursor(DecisionKey(local, 1, 2))) == DecisionKey(
            local.astimezone(UTC), 1, 2
        )


class TestFilters:
    def test_rules_are_named(self):
        """A bad child_ref, a naive time or an empty range are refused by field."""
        cases = [
            (DecisionFilters(child_ref="9434765919"), "child_ref"),
            (DecisionFilters(decided_from=datetime(2026, 1, 1)), "from"),  # noqa: DTZ001
            (
                DecisionFilters(
                    decided_from=datetime(2026, 1, 2, tzinfo=UTC),
                    decided_to=datetime(2026, 1, 1, tzinfo=UTC),
                ),
                "to",
            ),
        ]
        for filters, field in cases:
            with pytest.raises(AuditQueryError) as caught:
                filters.checked()
            assert caught.value.field == field

    def test_values_are_parameters_never_sql(self):
        """Whatever a filter holds goes as a parameter; the SQL names only fixed columns."""
        hostile = "x'; DROP TABLE audit_decision; --"
        clause, values = where(DecisionFilters(recipient=hostile, override=True))
        text = clause.as_string(None)
        assert hostile not in text
        assert values == [hostile, True]
        assert text == ' WHERE "recipient" = %s AND "override" = %s'

    def test_a_continued_page_bounds_the_time_for_partition_pruning(self):
        """After a key, the clause keeps the row comparison and a plain bound on decided_at."""
        after = DecisionKey(datetime(2026, 3, 2, tzinfo=UTC), 1, 2)
        clause, values = where(DecisionFilters(), after)
        assert (
            "decided_at >= %s AND (decided_at, topic_partition, topic_offset) > (%s, %s, %s)"
            in (clause.as_string(None))
        )
        assert values == [after.decided_at, after.decided_at, 1, 2]

    def test_matches_is_the_brute_force_twin_of_where(self):
        """The in-memory filter keeps exactly the rows the equalities and the range keep."""
        row = {
            "recorded_at": "2026-03-02T09:00:00+00:00",
            "child_ref": CHILD,
            "recipient": "la-education",
            "agreement_id": None,
            "subject_event_type": "AttendanceMarked",
            "decision": "deny",
            "override": False,
        }
        moment = datetime(2026, 3, 2, 9, tzinfo=UTC)
        assert DecisionFilters(child_ref=CHILD, decision="deny").matches(row)
        assert not DecisionFilters(decision="permit").matches(row)
        assert DecisionFilters(decided_from=moment).matches(row)
        assert not DecisionFilters(decided_to=moment).matches(row)


class TestPages:
    def test_page_sizes_outside_1_to_1000_are_refused(self):
        """limit names itself when out of range."""
        for limit in (0, 1001):
            with pytest.raises(AuditQueryError) as caught:
                checked_limit(limit)
            assert caught.value.field == "limit"

    def test_the_next_cursor_points_after_the_last_row_kept(self):
        """With one row more than asked for, the cursor is the key of the last row returned."""
        rows = [
            {"recorded_at": f"2026-03-02T09:00:0{n}+00:00", "partition": 0, "offset": n}
            for n in range(3)
        ]
        page = page_of(rows, 2)
        assert page.rows == rows[:2]
        assert page.next_cursor is not None
        assert decode_cursor(page.next_cursor) == key_of(rows[1])
        assert page_of(rows, 3).next_cursor is None
