"""Server-rendered HTML: the sign-in page, the board, one alert row, the evidence panel.

Every value from a view or a user is escaped here; the page's script only
inserts fragments rendered by these functions.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from html import escape
from pathlib import Path
from string import Template

from services.alerts.domain.board import EvidenceItem
from services.alerts.domain.model import Alert
from services.alerts.domain.users import DutyUser

TEMPLATES = Path(__file__).resolve().parent / "templates"
NOT_DISCLOSED = '<span class="muted">not disclosed</span>'
STATUS_TEXT = {
    "open": "Open",
    "acknowledged": "Acknowledged",
    "assigned": "Assigned",
    "escalated": "Escalated",
}


@cache
def _template(name: str) -> Template:
    return Template((TEMPLATES / name).read_text(encoding="utf-8"))


def _time(moment: dt.datetime | None) -> str:
    if moment is None:
        return NOT_DISCLOSED
    utc = moment.astimezone(dt.UTC)
    return f'<time datetime="{utc.isoformat()}">{utc:%d %b %Y %H:%M} UTC</time>'


def _text(value: str | None) -> str:
    return NOT_DISCLOSED if value is None else escape(value)


def _shown(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def signin_page(error: str | None = None) -> str:
    """The sign-in form (token field), with an error message when a sign-in failed."""
    message = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    return _template("signin.html").substitute(error=message)


def _actions(alert: Alert, user: DutyUser, now: dt.datetime) -> str:
    ident = escape(alert.alert_id)
    what = escape(alert.summary or alert.rule_id or "alert")
    evidence = (
        f'<button type="button" data-action="evidence" data-alert-id="{ident}" '
        f'aria-label="Show evidence for {what}">Evidence</button>'
    )
    buttons = [evidence]
    if alert.acknowledged_at is None:
        buttons.insert(
            0,
            f'<button type="button" class="primary" data-action="acknowledge" '
            f'data-alert-id="{ident}" aria-label="Acknowledge {what}">Acknowledge</button>',
        )
    if user.may_assign and alert.status(now) != "assigned":
        field = f"assignee-{ident}"
        buttons.append(
            f'<form class="assign" data-action="assign" data-alert-id="{ident}">'
            f'<label for="{field}">Assign to</label>'
            f'<input id="{field}" name="assignee" required maxlength="100" autocomplete="off">'
            f'<button type="submit">Assign</button></form>'
        )
    return "".join(buttons)


def alert_row(alert: Alert, user: DutyUser, now: dt.datetime) -> str:
    """One `<tr>` of the board."""
    status = alert.status(now)
    severity = alert.severity or "undisclosed"
    assignee = f" to {escape(alert.assignee)}" if alert.assignee else ""
    overdue = ' <span class="badge overdue">Overdue</span>' if alert.overdue(now) else ""
    ref = escape(alert.child_ref)
    return (
        f'<tr data-alert-id="{escape(alert.alert_id)}" data-status="{status}">'
        f"<td>{_time(alert.raised_at)}</td>"
        f'<td><span class="badge sev-{severity}">{severity.capitalize()}</span></td>'
        f"<td>{_text(alert.rule_id)}</td>"
        f'<td><code title="{ref}">{escape(alert.child_ref[:12])}</code></td>'
        f'<td class="summary">{_text(alert.summary)}</td>'
        f"<td>{_time(alert.due_by)}{overdue}</td>"
        f'<td class="status status-{status}">{STATUS_TEXT[status]}{assignee}</td>'
        f'<td><div class="actions">{_actions(alert, user, now)}</div></td></tr>'
    )


def board_page(user: DutyUser, alerts: list[Alert], now: dt.datetime, referrals: str = "") -> str:
    """The whole board for the signed-in user's agency; `referrals`: its referrals' section."""
    rows = "".join(alert_row(alert, user, now) for alert in alerts)
    return _template("board.html").substitute(
        user=escape(user.name),
        role=escape(user.role),
        agency=escape(user.agency),
        rows=rows,
        empty_hidden="hidden" if alerts else "",
        referrals=referrals,
    )


def _evidence_item(item: EvidenceItem) -> str:
    ident = escape(item.event_id)
    found = item.disclosed
    if found is None:
        return (
            f'<li><code>{ident}</code>: <span class="muted">not in your view (not disclosed '
            "to your agency, or not yet arrived)</span></li>"
        )
    fields = "".join(
        f"<dt>{escape(name)}</dt><dd>{escape(_shown(value))}</dd>"
        for name, value in sorted(found.fields.items())
    )
    return (
        f"<li><h3>{escape(found.event_type)}</h3>"
        f"<p>{_time(found.occurred_at)} from {escape(found.source_agency)}; shared under "
        f"{escape(found.agreement_id)} v{found.agreement_version} "
        f"({escape(found.legal_basis)}, purpose {escape(found.purpose)})</p>"
        f"<dl>{fields or '<dt>fields</dt><dd>none disclosed</dd>'}</dl></li>"
    )


def evidence_panel(alert: Alert, items: list[EvidenceItem]) -> str:
    """The evidence panel of one alert: what the team's view holds for each evidence id."""
    listed = "".join(_evidence_item(item) for item in items)
    body = f"<ul>{listed}</ul>" if items else '<p class="muted">No evidence ids disclosed.</p>'
    return (
        f'<h2 id="evidence-title" tabindex="-1">Evidence: {_text(alert.summary)}</h2>'
        f"<p>Shared with you under {escape(alert.agreement_id)} "
        f"({escape(alert.legal_basis)}, purpose {escape(alert.purpose)}).</p>{body}"
    )
