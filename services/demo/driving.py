"""Driving the running services over HTTP as their users would."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import yaml

from schemas.models.index import EVENT_MODELS
from services.demo.exceptions import DemoError
from services.demo.story import Step

CONSENT_OFFICER = {"Authorization": "Bearer dev-token-consent-officer"}
AUDITOR = {"Authorization": "Bearer dev-token-auditor"}


def publisher(agency: str) -> dict[str, str]:
    """The development bearer token of a publishing agency."""
    return {"Authorization": f"Bearer dev-token-{agency}"}


def create_agreements(consent_url: str, path: Path) -> int:
    """Create every agreement of `path` (one already there is left as it is)."""
    created = 0
    for agreement in yaml.safe_load(path.read_text(encoding="utf-8"))["agreements"]:
        answer = httpx.post(
            f"{consent_url}/v1/agreements", json=agreement, headers=CONSENT_OFFICER, timeout=30
        )
        if answer.status_code == httpx.codes.CREATED:
            created += 1
        elif answer.status_code != httpx.codes.CONFLICT:
            raise DemoError(f"agreement {agreement['id']}: {answer.status_code} {answer.text}")
    return created


def event_json(step: Step, nhs_number: str) -> dict[str, Any]:
    """The JSON an agency system would POST for `step`, identified by NHS number."""
    event = {
        "event_id": str(uuid.uuid4()),
        "event_type": step.event_type,
        "occurred_at": step.at,
        "recorded_at": step.at + timedelta(minutes=5),
        "source": {"agency": step.agency, "system": "demo", "practitioner_role": None},
        "child_ref": "cr1_" + "0" * 32,
        **step.fields,
    }
    document = EVENT_MODELS[step.event_type].model_validate(event).model_dump(mode="json")
    document.pop("child_ref")
    document["identifier"] = {"kind": "nhs_number", "value": nhs_number}
    return document


def publish(gateway_url: str, step: Step, nhs_numbers: dict[str, str]) -> str:
    """POST one step's event to the gateway; return its event id."""
    document = event_json(step, nhs_numbers[step.child])
    answer = httpx.post(
        f"{gateway_url}/v1/events", json=document, headers=publisher(step.agency), timeout=30
    )
    if answer.status_code != httpx.codes.ACCEPTED:
        raise DemoError(f"{step.label}: {answer.status_code} {answer.text}")
    return str(document["event_id"])


def child_ref_of(gateway_url: str, nhs_number: str, agency: str) -> str:
    """The child_ref of an NHS number, as a publishing agency resolves it."""
    answer = httpx.post(
        f"{gateway_url}/v1/identity/resolve",
        json={"kind": "nhs_number", "value": nhs_number},
        headers=publisher(agency),
        timeout=30,
    )
    answer.raise_for_status()
    return str(answer.json()["child_ref"])


def record_consent(consent_url: str, child_ref: str, purpose: str) -> None:
    """A consent officer records a family's consent for `purpose`."""
    body = {
        "kind": "given",
        "purpose": purpose,
        "period": {"start": (datetime.now(UTC) - timedelta(days=1)).isoformat()},
        "recorded_by": {"role": "consent-officer", "agency": "la-social-care"},
        "note": "Family agreed at the early help conversation.",
    }
    answer = httpx.post(
        f"{consent_url}/v1/children/{child_ref}/directives",
        json=body,
        headers=CONSENT_OFFICER,
        timeout=30,
    )
    if not answer.is_success:
        raise DemoError(f"recording consent: {answer.status_code} {answer.text}")


def verify_audit(consent_url: str) -> dict[str, Any]:
    """The audit chain report, as an auditor asks for it."""
    answer = httpx.get(f"{consent_url}/v1/audit/verify", headers=AUDITOR, timeout=120)
    answer.raise_for_status()
    result: dict[str, Any] = answer.json()
    return result


def decisions_about(consent_url: str, child_ref: str) -> list[dict[str, Any]]:
    """Every disclosure decision about one child (a subject access search, as an auditor)."""
    answer = httpx.get(
        f"{consent_url}/v1/audit", params={"child_ref": child_ref}, headers=AUDITOR, timeout=120
    )
    answer.raise_for_status()
    return list(answer.json()["decisions"])
