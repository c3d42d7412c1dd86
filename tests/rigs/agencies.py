"""The agency directory file the router and the thresholds worker read."""

from __future__ import annotations

from pathlib import Path

import yaml


def write_agencies(path: Path, agencies: dict[str, str]) -> Path:
    """An agency directory of `{id: kind}`, each with a name and a duty contact."""
    rows = [
        {"id": agency, "kind": kind, "name": agency, "duty_contact": f"duty@{agency}.example"}
        for agency, kind in agencies.items()
    ]
    path.write_text(yaml.safe_dump({"agencies": rows}))
    return path
