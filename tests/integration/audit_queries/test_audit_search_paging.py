"""Audit search on a real PostgreSQL: pages return every row once, in order, as a brute-force
filter over the same rows would; bad input is a 422 naming its field."""

import random
from datetime import datetime, timedelta

import pytest
from audit_queries_rig import bearer, every_page
from rigs.audit_rows import as_audit_row, child_ref, in_key_order, insert_rows, made_up_rows

from services.audit.index_filters import DecisionFilters

pytestmark = pytest.mark.integration

SEED = 20260302


def random_filters(rng: random.Random, rows: list[dict]) -> tuple[dict, DecisionFilters]:
    """A random mix of filters (query parameters, and the same as DecisionFilters)."""
    params: dict = {}
    sample = rng.choice(rows)
    if rng.random() < 0.4:
        params["child_ref"] = rng.choice([sample["child_ref"], child_ref(999)])
    if rng.random() < 0.4:
        params["recipient"] = sample["recipient"]
    if rng.random() < 0.25:
        params["agreement_id"] = rng.choice(["isa-0", "isa-1", "isa-3"])
    if rng.random() < 0.25:
        params["subject_event_type"] = sample["subject_event_type"]
    if rng.random() < 0.3:
        params["decision"] = rng.choice(["permit", "deny"])
    if rng.random() < 0.25:
        params["override"] = rng.choice([True, False])
    if rng.random() < 0.4:
        low = sample["decided_at"] - timedelta(days=rng.randrange(0, 30))
        params["from"] = low.isoformat()
        if rng.random() < 0.5:
            params["to"] = (low + timedelta(days=rng.randrange(1, 40))).isoformat()
    filters = DecisionFilters(
        child_ref=params.get("child_ref"),
        recipient=params.get("recipient"),
        agreement_id=params.get("agreement_id"),
        subject_event_type=params.get("subject_event_type"),
        decision=params.get("decision"),
        override=params.get("override"),
        decided_from=datetime.fromisoformat(params["from"]) if "from" in params else None,
        decided_to=datetime.fromisoformat(params["to"]) if "to" in params else None,
    )
    return {k: str(v).lower() if isinstance(v, bool) else v for k, v in params.items()}, filters


class TestPaging:
    async def test_every_row_once_in_order_for_random_filters(self, consent_on_index, audit_db_url):
        """For 40 random filter sets and page sizes, walking the pages gives exactly the rows a
        brute-force filter keeps, each once, in key order (times collide on purpose)."""
        made = made_up_rows(SEED, 1500)
        insert_rows(audit_db_url, made)
        shown = [as_audit_row(row) for row in made]
        rng = random.Random(SEED)  # noqa: S311 - choosing test cases
        non_empty = 0
        async with consent_on_index() as http:
            for _ in range(40):
                params, filters = random_filters(rng, made)
                limit = rng.choice([1, 3, 7, 25, 100, 1000])
                expected = in_key_order([row for row in shown if filters.matches(row)])
                if limit == 1 and len(expected) > 60:
                    limit = 25  # keep the number of requests reasonable
                found, pages = await every_page(http, params, limit)
                keys = [(row["partition"], row["offset"]) for row in found]
                assert len(keys) == len(set(keys)), params
                assert found == expected, params
                assert pages == max(1, -(-len(expected) // limit)), (params, limit)
                non_empty += bool(expected)
        assert non_empty >= 20  # the random filters were not all empty

    async def test_a_walk_continues_exactly_while_rows_are_appended(
        self, consent_on_index, audit_db_url
    ):
        """Rows indexed after a page was served appear later, and none is repeated or lost."""
        made = made_up_rows(SEED + 1, 300, children=3)
        early, late = made[:200], made[200:]
        insert_rows(audit_db_url, early)
        late_start = max(row["decided_at"] for row in early) + timedelta(seconds=1)
        for number, row in enumerate(late):
            row["decided_at"] = late_start + timedelta(milliseconds=number)
            row["topic_offset"] += 10_000
        async with consent_on_index() as http:
            first = await http.get("/v1/audit/decisions?limit=50", headers=bearer("auditor"))
            insert_rows(audit_db_url, late)
            continued, _ = await every_page(http, {"cursor": first.json()["next_cursor"]}, 50)
            again, _ = await every_page(http, {}, 50)
        everything = in_key_order([as_audit_row(r) for r in made])
        assert first.json()["decisions"] + continued == everything
        assert again == everything


class TestRefusals:
    async def test_bad_cursor_and_filters_are_422_naming_the_field(
        self, consent_on_index, audit_db_url
    ):
        """Each broken rule is a 422 with the field it concerns; nothing is searched."""
        cases = [
            ({"cursor": "bm90IGEga2V5"}, "cursor"),
            ({"cursor": "%%%"}, "cursor"),
            ({"limit": "0"}, "limit"),
            ({"limit": "1001"}, "limit"),
            ({"decision": "maybe"}, "decision"),
            ({"override": "perhaps"}, "override"),
            ({"from": "2026-03-02T09:00:00"}, "from"),
            ({"from": "yesterday"}, "from"),
            ({"from": "2026-03-02T00:00:00Z", "to": "2026-03-01T00:00:00Z"}, "to"),
            ({"recipient": "Police West"}, "recipient"),
            ({"agreement_id": "=cmd()"}, "agreement_id"),
            ({"subject_event_type": "<b>"}, "subject_event_type"),
            ({"child_ref": "9434765919"}, "child_ref"),
        ]
        async with consent_on_index() as http:
            for params, field in cases:
                for path in ("/v1/audit/decisions", "/v1/audit/decisions.csv"):
                    if path.endswith(".csv") and field in {"cursor", "limit"}:
                        continue
                    answer = await http.get(path, params=params, headers=bearer("auditor"))
                    assert (answer.status_code, answer.json()["field"]) == (422, field), params


class TestExport:
    async def test_the_csv_export_streams_every_match_with_no_formula(
        self, consent_on_index, audit_db_url
    ):
        """The export holds every matching row, in order, and neutralises formula cells."""
        made = made_up_rows(SEED + 2, 2600, recipients=2)
        made[0]["reason"] = "=HYPERLINK(1)"
        insert_rows(audit_db_url, made)
        recipient = made[0]["recipient"]
        async with consent_on_index() as http:
            answer = await http.get(
                "/v1/audit/decisions.csv",
                params={"recipient": recipient},
                headers=bearer("auditor"),
            )
        lines = answer.text.strip().splitlines()
        expected = in_key_order([as_audit_row(r) for r in made if r["recipient"] == recipient])
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/csv")
        assert lines[0].startswith("recorded_at,child_ref,subject_event_id")
        assert len(lines) == len(expected) + 1
        assert [line.split(",")[0] for line in lines[1:]] == [r["recorded_at"] for r in expected]
        assert "'=HYPERLINK(1)" in answer.text
        assert ",=HYPERLINK" not in answer.text
