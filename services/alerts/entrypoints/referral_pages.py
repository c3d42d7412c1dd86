"""Server-rendered HTML of the referral loop: a referrer's referrals and the partnership page.

Every value from a view or a user is escaped here; the pages' script only
places fragments rendered by these functions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import cache
from html import escape
from pathlib import Path
from string import Template
from typing import Final

from schemas import codes
from schemas.exceptions import ContractError
from services.alerts.domain.partnership import OUTCOMES, Figures
from services.alerts.domain.referrals import Referral
from services.alerts.domain.users import DutyUser
from services.alerts.entrypoints.partnership_charts import Bar, Segment, horizontal_bars
from services.alerts.entrypoints.partnership_charts import stacked_bars as stacked

TEMPLATES = Path(__file__).resolve().parent / "templates"
NOT_DISCLOSED: Final = '<span class="muted">not disclosed</span>'
STATUS_TEXT: Final = {
    "waiting": "Waiting for a decision",
    "decided": "Decided",
    "assessment": "Assessment under way",
    "closed": "Closed",
}
OUTCOME_TEXT: Final = {
    "no_further_action": "No further action",
    "universal_services": "Universal services",
    "early_help": "Early help",
    "child_in_need_assessment": "Child in need assessment (s17)",
    "section_47_enquiry": "Section 47 enquiry",
    "child_in_need_plan": "Child in need plan",
    "strategy_discussion": "Strategy discussion",
    "decision_stands": "decision stands",
    "decision_changed": "decision changed",
    "withdrawn": "withdrawn",
}


@cache
def _template(name: str) -> Template:
    return Template((TEMPLATES / name).read_text(encoding="utf-8"))


def _time(moment: dt.datetime | None) -> str:
    if moment is None:
        return '<span class="muted">-</span>'
    utc = moment.astimezone(dt.UTC)
    return f'<time datetime="{utc.isoformat()}">{utc:%d %b %Y %H:%M} UTC</time>'


def _coded(value: str | None, list_name: str) -> str:
    if value is None:
        return NOT_DISCLOSED
    try:
        return escape(codes.code_list(list_name).get(value).meaning)
    except ContractError:
        return escape(value)


def _text(value: str | None) -> str:
    return NOT_DISCLOSED if value is None else escape(OUTCOME_TEXT.get(value, value))


def _disagreement(referral: Referral) -> str:
    ident = escape(referral.referral_id)
    if referral.may_disagree:
        return (
            f'<div class="disagree"><button type="button" data-action="disagree" '
            f'data-referral-id="{ident}" aria-expanded="false" '
            f'aria-controls="confirm-{ident}">Disagree</button>'
            f'<div class="confirm" id="confirm-{ident}" hidden>'
            f"<p>Raise a professional disagreement with {escape(referral.social_care)} about this "
            "decision? It starts stage 1 of the partnership's escalation procedure.</p>"
            f'<button type="button" class="primary" data-action="disagree-confirm" '
            f'data-referral-id="{ident}">Raise disagreement</button> '
            f'<button type="button" data-action="disagree-cancel" data-referral-id="{ident}">'
            "Cancel</button></div></div>"
        )
    if referral.disagreement_outcome is not None:
        return f"Resolved: {_text(referral.disagreement_outcome)}"
    if referral.disagreement_stage is not None:
        return f"Disagreement at stage {referral.disagreement_stage}"
    if referral.disagreement_raised_at is not None:
        return f"Disagreement raised {_time(referral.disagreement_raised_at)}"
    if referral.decided_at is None:
        return '<span class="muted">after the decision</span>'
    return '<span class="muted">-</span>'


def referral_row(referral: Referral) -> str:
    """One `<tr>` of the referrer's referrals."""
    decision = referral.decision
    decided = referral.decided_at is not None
    ref = escape(referral.child_ref)

    def shown(name: str) -> str:
        return _text(decision.get(name)) if decided else '<span class="muted">-</span>'

    level = _coded(decision.get("threshold_level"), codes.THRESHOLD_LEVEL) if decided else "-"
    reason = _coded(decision.get("reason_category"), codes.REFERRAL_REASON) if decided else "-"
    status = referral.status
    return (
        f'<tr data-referral-id="{escape(referral.referral_id)}" data-status="{status}">'
        f'<td><code title="{ref}">{escape(referral.child_ref[:12])}</code></td>'
        f'<td class="status status-{status}">{STATUS_TEXT[status]}</td>'
        f"<td>{_time(referral.received_at)}</td><td>{_time(referral.decided_at)}</td>"
        f'<td class="outcome">{shown("outcome")}</td><td>{level}</td>'
        f'<td class="reason">{reason}</td><td>{shown("next_steps")}</td>'
        f"<td>{shown('contact')}</td><td>{_disagreement(referral)}</td></tr>"
    )


def referrals_section(referrals: Sequence[Referral]) -> str:
    """The duty page's section of the agency's referrals ('' when it has none)."""
    if not referrals:
        return ""
    rows = "".join(referral_row(referral) for referral in referrals)
    return _template("referrals.html").substitute(rows=rows)


def partnership_page(user: DutyUser, figures: Figures) -> str:
    """The partnership's threshold transparency page: four charts, suppressed."""
    minimum = figures.minimum
    return _template("partnership.html").substitute(
        user=escape(user.name),
        agency=escape(user.agency),
        minimum=minimum,
        referrals=_referral_charts(figures),
        conversion=horizontal_bars(
            "Share of decided referrals going to assessment and to a section 47 enquiry",
            [
                (f"{kind}: {label}", value, f"{value:.0f}%" if value is not None else "")
                for c in figures.conversion
                for kind in [c.kind]
                for label, value in (
                    ("assessment", c.assessment_percent),
                    ("s47", c.s47_percent),
                )
            ],
            100.0,
            minimum,
        ),
        timeliness=_timeliness_chart(figures),
        disagreements=_disagreement_chart(figures),
    )


def _referral_charts(figures: Figures) -> str:
    kinds = sorted({cell.keys[1] for cell in figures.referrals})
    months = sorted({cell.keys[0] for cell in figures.referrals})
    found = {cell.keys[2] for cell in figures.referrals}
    series = [*OUTCOMES, *sorted(found - set(OUTCOMES))]
    charts = []
    for kind in kinds:
        bars = []
        for month in months:
            cells = {c.keys[2]: c.count for c in figures.referrals if c.keys[:2] == (month, kind)}
            segments = tuple(Segment(o, cells[o]) for o in series if o in cells)
            bars.append(Bar(month, segments))
        title = f"Referrals from {kind} referrers by outcome, per month"
        chart = stacked(title, bars, series, figures.minimum)
        charts.append(
            f'<figure class="chart">{chart}<figcaption>{escape(title)}</figcaption></figure>'
        )
    return "".join(charts) or '<p class="muted">No referrals yet.</p>'


def _timeliness_chart(figures: Figures) -> str:
    rows: list[tuple[str, float | None, str]] = []
    for timing in figures.timeliness:
        name = timing.measure.replace("-", " ")
        for label, value in (("p50", timing.p50_hours), ("p90", timing.p90_hours)):
            rows.append((f"{name} {label}", value, f"{value:.1f} h" if value is not None else ""))
    scale = max((value for _, value, _ in rows if value is not None), default=1.0) or 1.0
    return horizontal_bars(
        "Hours from referral to decision and to feedback (p50, p90)", rows, scale, figures.minimum
    )


def _disagreement_chart(figures: Figures) -> str:
    stages = sorted({cell.keys[0] for cell in figures.disagreements}, key=int)
    outcomes = sorted({cell.keys[1] for cell in figures.disagreements})
    bars = [
        Bar(
            f"stage {stage}",
            tuple(Segment(c.keys[1], c.count) for c in figures.disagreements if c.keys[0] == stage),
        )
        for stage in stages
    ]
    return stacked(
        "Professional disagreements by the stage they reached and how they ended",
        bars,
        outcomes,
        figures.minimum,
    )
