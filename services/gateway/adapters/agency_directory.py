"""The agencies the gateway knows: ids of the deployment's agencies.yaml.

A field that legitimately names another agency (`x-agency: other`, e.g. the
school a police notification is for) must name one of them, or a publisher
of this gateway. Only the ids are read; the rest of the directory is the
consent and router services' business.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from services.bus.topics import check_agency_id
from services.gateway.exceptions import GatewayError


def agency_ids(path: Path) -> frozenset[str]:
    """The ids listed in an agency directory file (`agencies: [{id, ...}]`)."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise GatewayError(f"cannot read the agency directory {path}: {exc}") from exc
    entries = document.get("agencies") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise GatewayError(f"{path}: expected a mapping with an 'agencies' list")
    ids: set[str] = set()
    for index, entry in enumerate(entries):
        try:
            ids.add(check_agency_id(str(entry["id"])))
        except (KeyError, TypeError, ValueError) as exc:
            raise GatewayError(f"{path}: agencies[{index}] is malformed ({exc})") from exc
    return frozenset(ids)
