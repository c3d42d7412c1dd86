"""Subject access reports from a real PostgreSQL: every decision about the child, no other
child's, in every format; only auditors may ask; logs never name the child."""

import xml.etree.ElementTree as ET
from datetime import datetime

import pytest
from audit_queries_rig import bearer
from rigs.audit_rows import as_audit_row, child_ref, in_key_order, insert_rows, made_up_rows
from structlog.testing import capture_logs

pytestmark = pytest.mark.integration

SVG = "{http://www.w3.org/2000/svg}"


def at(text: str) -> datetime:
    """An ISO 8601 time ('Z' or '+00:00') as an aware datetime."""
    return datetime.fromisoformat(text)


class TestSubjectAccessReport:
    async def test_every_decision_about_the_child_and_none_about_another(
        self, consent_on_index, audit_db_url
    ):
        """For several children, the report's decisions are exactly a brute-force filter of the
        rows on child_ref, oldest first; no format carries another child's reference."""
        made = made_up_rows(7, 2000, children=25)
        insert_rows(audit_db_url, made)
        children = sorted({row["child_ref"] for row in made})
        async with consent_on_index() as http:
            for child in children[:6]:
                expected = in_key_order([as_audit_row(r) for r in made if r["child_ref"] == child])
                path = f"/v1/audit/children/{child}/report"
                report = (await http.get(path, headers=bearer("auditor"))).json()
                csv = await http.get(path, params={"format": "csv"}, headers=bearer("auditor"))
                page = await http.get(path, params={"format": "html"}, headers=bearer("auditor"))
                svg = await http.get(path, params={"format": "svg"}, headers=bearer("auditor"))

                shown = [
                    (at(d["decided_at"]), d["recipient"], d["decision"], d["subject_event_id"])
                    for d in report["decisions"]
                ]
                assert shown == [
                    (at(r["recorded_at"]), r["recipient"], r["decision"], r["subject_event_id"])
                    for r in expected
                ]
                assert report["child_ref"] == child
                assert report["decisions_total"] == len(expected)
                assert report["overrides"] == sum(r["override"] for r in expected)
                assert sum(r["permits"] + r["denies"] for r in report["recipients"]) == len(
                    expected
                )
                assert len(csv.text.strip().splitlines()) == len(expected) + 1
                assert page.headers["content-type"].startswith("text/html")
                assert "/static/report.css" in page.text
                marks = list(ET.fromstring(svg.text).iter(f"{SVG}circle"))  # noqa: S314 - ours
                permits = sum(r["decision"] == "permit" for r in expected)
                assert len(marks) == permits + 1  # and the legend's circle
                for other in children:
                    if other != child:
                        for answer in (str(report), csv.text, page.text, svg.text):
                            assert other not in answer

    async def test_a_child_with_no_decisions_gets_an_empty_report(self, consent_on_index):
        """No rows is a report of zero decisions, not a 404."""
        async with consent_on_index() as http:
            answer = await http.get(
                f"/v1/audit/children/{child_ref(424242)}/report", headers=bearer("auditor")
            )
        assert (answer.status_code, answer.json()["decisions_total"]) == (200, 0)

    async def test_only_an_auditor_reads_a_report(self, consent_on_index, audit_db_url):
        """No token 401; consent officer and IG lead 403; auditor 200."""
        insert_rows(audit_db_url, made_up_rows(8, 50))
        path = f"/v1/audit/children/{child_ref(1)}/report"
        async with consent_on_index() as http:
            nobody = await http.get(path)
            officer = await http.get(path, headers=bearer("officer"))
            lead = await http.get(path, headers=bearer("ig-lead"))
            auditor = await http.get(path, headers=bearer("auditor"))
        assert [a.status_code for a in (nobody, officer, lead, auditor)] == [401, 403, 403, 200]
        assert lead.json()["rule"] == "this action needs the auditor role"

    async def test_logs_name_no_child(self, consent_on_index, audit_db_url):
        """Searching and reporting log what was done and counts, never the child_ref."""
        made = made_up_rows(9, 200, children=2)
        insert_rows(audit_db_url, made)
        child = made[0]["child_ref"]
        async with consent_on_index() as http:
            with capture_logs() as logs:
                await http.get("/v1/audit", params={"child_ref": child}, headers=bearer("auditor"))
                await http.get(
                    "/v1/audit/decisions", params={"child_ref": child}, headers=bearer("auditor")
                )
                await http.get(f"/v1/audit/children/{child}/report", headers=bearer("auditor"))
        events = [entry["event"] for entry in logs]
        assert events.count("audit searched") == 2
        assert "subject access report produced" in events
        searched = [entry for entry in logs if entry["event"] == "audit searched"]
        assert searched[0]["filters"] == ["child_ref"]
        assert searched[0]["decisions"] == sum(r["child_ref"] == child for r in made)
        assert child not in repr(logs)
