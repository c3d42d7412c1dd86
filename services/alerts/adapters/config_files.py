"""Read the duty-user and webhook files (YAML) into the domain's objects."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from schemas.catalogue import Catalogue
from services.alerts.domain.users import DutyUser, DutyUsers
from services.alerts.domain.webhook_targets import ViewSubscription, WebhookTargets
from services.alerts.exceptions import AlertsConfigError
from services.bus.topics import check_agency_id


def _read(path: Path, key: str) -> list[Any]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise AlertsConfigError(f"cannot read {path}: {exc}") from exc
    entries = (document or {}).get(key) or []
    if not isinstance(entries, list):
        raise AlertsConfigError(f"{path}: `{key}` must be a list")
    return entries


def load_duty_users(path: Path) -> DutyUsers:
    """`users: [{id, name, agency, role, token_sha256}]` from a YAML file."""
    users = []
    for index, entry in enumerate(_read(path, "users")):
        try:
            users.append(DutyUser.model_validate(entry))
        except ValidationError as exc:
            raise AlertsConfigError(f"{path}: users[{index}] is malformed ({exc})") from exc
    try:
        return DutyUsers(users)
    except ValueError as exc:
        raise AlertsConfigError(f"{path}: {exc}") from exc


def load_webhooks(path: Path) -> Mapping[str, tuple[str, ...]]:
    """`webhooks: [{agency, urls: [...]}]` from a YAML file: receiver URLs per agency."""
    targets: dict[str, tuple[str, ...]] = {}
    for index, entry in enumerate(_read(path, "webhooks")):
        try:
            agency = check_agency_id(str(entry["agency"]))
            urls = tuple(str(url) for url in entry["urls"])
        except (KeyError, TypeError, ValueError) as exc:
            raise AlertsConfigError(f"{path}: webhooks[{index}] is malformed ({exc})") from exc
        if not all(url.startswith(("https://", "http://")) for url in urls):
            raise AlertsConfigError(f"{path}: webhooks[{index}] urls must be http(s) URLs")
        targets[agency] = targets.get(agency, ()) + urls
    return targets


def _subscription(entry: Any, known: frozenset[str]) -> ViewSubscription:
    """One `{agency, url, event_types}` entry; raise KeyError/TypeError/ValueError naming it."""
    agency = check_agency_id(str(entry["agency"]))
    url = str(entry["url"])
    if not url.startswith(("https://", "http://")):
        raise ValueError("url: must be an http(s) URL")
    event_types = entry["event_types"]
    if not isinstance(event_types, list) or not event_types:
        raise ValueError("event_types: must list at least one event type")
    unknown = sorted({str(t) for t in event_types} - known)
    if unknown:
        raise ValueError(f"event_types: {unknown[0]!r} is not an event type of the catalogue")
    return ViewSubscription(agency, url, frozenset(str(t) for t in event_types))


def load_view_webhooks(path: Path) -> tuple[ViewSubscription, ...]:
    """`subscriptions: [{agency, url, event_types: [...]}]` from a YAML file."""
    known = frozenset(Catalogue.load().event_types)
    found = []
    for index, entry in enumerate(_read(path, "subscriptions")):
        try:
            found.append(_subscription(entry, known))
        except (KeyError, TypeError, ValueError) as exc:
            raise AlertsConfigError(f"{path}: subscriptions[{index}] is malformed ({exc})") from exc
    return tuple(found)


def load_webhook_targets(alerts_file: Path, view_file: Path) -> WebhookTargets:
    """Every webhook receiver: alerts (webhooks.yaml) and disclosures (view-webhooks.yaml)."""
    return WebhookTargets(load_webhooks(alerts_file), load_view_webhooks(view_file))
