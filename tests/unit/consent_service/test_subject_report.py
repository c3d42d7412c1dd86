"""The subject access report, its CSV and printable page, and the sharing map: pure."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from consent_service_fakes import CHILD, NOW, OTHER_CHILD, agreement_body, directory

from consent.domain import SharingAgreement
from consent.domain.codes import load_policy_codes
from services.consent.exceptions import ForeignRowError
from services.consent.sharing_map import sharing_map
from services.consent.subject_report import report_csv, subject_access_report
from services.consent.subject_report_html import report_html

SVG = "{http://www.w3.org/2000/svg}"


def row(**overrides) -> dict:
    """An audit row (services/audit/rows.py columns) about CHILD."""
    values = {
        "recorded_at": "2026-03-02T09:00:00+00:00",
        "child_ref": CHILD,
        "subject_event_id": "0b6c2c7e-8d5e-4f55-9a7e-2d1c7b8e9f01",
        "subject_event_type": "AttendanceMarked",
        "recipient": "la-education",
        "decision": "permit",
        "fields": ["event_id", "session_date"],
        "agreement_id": "isa-attendance",
        "legal_basis": "public-task-ca2004-s16la",
        "purpose": "attendance-support",
        "override": False,
        "reason": "permitted under isa-attendance v1",
        "policy_version": "p1",
        "partition": 0,
        "offset": 0,
        "prev_hash": "",
        "hash": "h",
    }
    return {**values, **overrides}


def report(rows):
    return subject_access_report(CHILD, rows, directory(), load_policy_codes(), NOW)


class TestSubjectAccessReport:
    def test_summary_counts_per_recipient_and_overall(self):
        """Counts per recipient and decision, first and last, labels from the code lists."""
        rows = [
            row(),
            row(recorded_at="2026-03-03T09:00:00+00:00", recipient="police-west",
                decision="deny", fields=[], agreement_id=None, legal_basis=None, purpose=None,
                reason="no-agreement: no agreement"),
            row(recorded_at="2026-03-04T09:00:00+00:00", override=True),
        ]  # fmt: skip
        made = report(rows)
        assert (made.decisions_total, made.permits, made.denies, made.overrides) == (3, 2, 1, 1)
        assert made.first == datetime(2026, 3, 2, 9, tzinfo=UTC)
        assert made.last == datetime(2026, 3, 4, 9, tzinfo=UTC)
        by_recipient = {r.recipient: (r.permits, r.denies, r.overrides) for r in made.recipients}
        assert by_recipient == {"la-education": (2, 0, 1), "police-west": (0, 1, 0)}
        first = made.decisions[0]
        assert first.recipient_name == "La-Education"
        assert first.purpose_label == load_policy_codes().purposes["attendance-support"].label

    def test_a_row_about_another_child_is_never_reported(self):
        """One foreign row stops the report (a bug upstream), rather than show it."""
        with pytest.raises(ForeignRowError):
            report([row(), row(child_ref=OTHER_CHILD)])

    def test_no_decisions_is_an_empty_report(self):
        """A child with no decisions gets a report that says so."""
        made = report([])
        assert (made.decisions_total, made.first, made.recipients) == (0, None, [])
        assert "No decisions are recorded about this child." in report_html(made, "/s.css")

    def test_csv_cells_are_never_formulas(self):
        """A reason opening with '=' is neutralised; fields are a JSON list."""
        text = report_csv(report([row(reason="=HYPERLINK(1)")]))
        lines = text.splitlines()
        assert lines[0].startswith("decided_at,recipient,recipient_name,decision")
        assert "'=HYPERLINK(1)" in lines[1]
        assert '"[""event_id"", ""session_date""]"' in lines[1]

    def test_the_printable_page_escapes_and_inlines_its_timeline(self):
        """Markup in a value stays text; the timeline is inline SVG; the stylesheet is linked."""
        hostile = "<script>alert(1)</script>"
        page = report_html(report([row(reason=hostile)]), "https://consent.example/static/r.css")
        assert hostile not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert '<link rel="stylesheet" href="https://consent.example/static/r.css">' in page
        assert page.count("<svg ") == 1
        assert CHILD in page
        assert "<script" not in page


class TestSharingMap:
    def test_agreements_in_force_are_drawn_and_others_are_not(self):
        """Each provider, event type and recipient of an agreement in force is a box; a retired
        or expired agreement adds nothing."""
        live = SharingAgreement.model_validate({**agreement_body(), "version": 1})
        retired = SharingAgreement.model_validate(
            {**agreement_body(id="isa-old", event_types=["SuspensionIssued"]), "version": 2,
             "status": "retired"}
        )  # fmt: skip
        expired = SharingAgreement.model_validate(
            {**agreement_body(id="isa-gone", event_types=["ConcernRaised"]), "version": 1,
             "valid_to": (NOW - timedelta(days=1)).isoformat()}
        )  # fmt: skip
        picture = sharing_map([live, retired, expired], directory(), NOW)
        root = ET.fromstring(picture)  # noqa: S314 - our own output
        labels = [node.text for node in root.iter(f"{SVG}text")]
        assert {"every school agency", "AttendanceMarked", "La-Education"} <= set(labels)
        assert "SuspensionIssued" not in labels
        assert "ConcernRaised" not in labels
        assert len(list(root.iter(f"{SVG}path"))) == 2  # provider->type, type->recipient

    def test_no_agreement_in_force_says_so(self):
        """An empty map is a sentence, not an error."""
        assert "No agreement is in force." in sharing_map([], directory(), NOW)
