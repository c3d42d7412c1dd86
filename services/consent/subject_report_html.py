"""The printable subject access report: one HTML page, its timeline drawn inline as SVG.

No script, one stylesheet (the service's /static/report.css, with print
rules), every value escaped. What a family receives when they ask what was
shared about their child, and why.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import datetime

from services.consent.subject_report import SubjectAccessReport, report_timeline


def _when(moment: datetime | None) -> str:
    return "-" if moment is None else moment.strftime("%d %b %Y %H:%M UTC")


def _cells(tag: str, values: Iterable[object], classes: dict[int, str] | None = None) -> str:
    shown = []
    for number, value in enumerate(values):
        css = (classes or {}).get(number)
        opening = f'<{tag} class="{css}">' if css else f"<{tag}>"
        shown.append(f"{opening}{html.escape(str(value))}</{tag}>")
    return "<tr>" + "".join(shown) + "</tr>"


def _labelled(code: str | None, label: str | None) -> str:
    if code is None:
        return "-"
    return f"{label} ({code})" if label else code


def _summary(report: SubjectAccessReport) -> str:
    facts = (
        ("Decisions recorded", report.decisions_total),
        ("Shared (permit)", report.permits),
        ("Not shared (deny)", report.denies),
        ("Shared against a withdrawn consent (safeguarding override)", report.overrides),
        ("First decision", _when(report.first)),
        ("Last decision", _when(report.last)),
    )
    items = "".join(
        f"<dt>{html.escape(name)}</dt><dd>{html.escape(str(value))}</dd>" for name, value in facts
    )
    head = _cells("th", ("Recipient", "Shared", "Not shared", "Overrides", "First", "Last"))
    rows = "".join(
        _cells(
            "td",
            (
                f"{r.recipient_name} ({r.recipient})",
                r.permits,
                r.denies,
                r.overrides,
                _when(r.first),
                _when(r.last),
            ),
        )
        for r in report.recipients
    )
    return (
        f'<section class="summary"><h2>Summary</h2><dl>{items}</dl>'
        "<table><caption>Decisions per recipient</caption>"
        f"<thead>{head}</thead><tbody>{rows}</tbody></table></section>"
    )


def _decisions(report: SubjectAccessReport) -> str:
    head = _cells(
        "th",
        (
            "When",
            "Recipient",
            "Decision",
            "Event",
            "Agreement",
            "Purpose",
            "Legal basis",
            "Fields shared",
            "Override",
            "Reason",
        ),
    )
    rows = "".join(
        _cells(
            "td",
            (
                _when(d.decided_at),
                d.recipient_name,
                d.decision,
                d.subject_event_type,
                d.agreement_id or "-",
                _labelled(d.purpose, d.purpose_label),
                _labelled(d.legal_basis, d.legal_basis_label),
                ", ".join(d.fields) or "-",
                "yes" if d.override else "no",
                d.reason,
            ),
            {2: d.decision, 8: "override" if d.override else ""},
        )
        for d in report.decisions
    )
    return (
        '<section class="decisions"><h2>Every decision, oldest first</h2>'
        f"<table><thead>{head}</thead><tbody>{rows}</tbody></table></section>"
    )


def report_html(report: SubjectAccessReport, stylesheet: str) -> str:
    """The report as a printable HTML page, styled by the stylesheet at URL `stylesheet`."""
    return (
        '<!doctype html>\n<html lang="en-GB"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Subject access report: disclosure decisions</title>"
        f'<link rel="stylesheet" href="{html.escape(stylesheet, quote=True)}"></head>'
        '<body class="report"><header><h1>Subject access report: disclosure decisions</h1>'
        f"<p>Child reference <code>{html.escape(report.child_ref)}</code>. "
        f"Produced {html.escape(_when(report.produced_at))} from the audit trail of the "
        "Joined-up information-sharing bus: every decision to share, or not to share, "
        "information about this child with another agency.</p></header>"
        f"<main>{_summary(report)}"
        f'<section class="timeline"><h2>Timeline</h2>{report_timeline(report)}</section>'
        f"{_decisions(report)}</main>"
        "<footer><p>Shared (permit): the recipient received the fields listed, under the "
        "agreement, purpose and legal basis shown. Not shared (deny): nothing was sent. "
        "Override: information was shared on a safeguarding basis although consent had been "
        "withdrawn; each override is reviewed by the information governance lead.</p></footer>"
        "</body></html>\n"
    )
