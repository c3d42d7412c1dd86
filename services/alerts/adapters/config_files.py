"""Read the duty-user and webhook files (YAML) into the domain's objects."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from services.alerts.domain.users import DutyUser, DutyUsers
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
