"""The principals' access as a markdown table: docs/security.md carries it, generated.

`joinedup acl table --write docs/security.md` rewrites the table between its
markers; tests/unit/governance/test_access_table.py fails when the page and
services/governance/acls.py disagree.
"""

from __future__ import annotations

from collections.abc import Iterable

from services.governance.acls import SERVICE_ACCESS, Access, Resource, agency_access
from services.governance.principals import SERVICES

START_MARKER = "<!-- acls:start -->"
END_MARKER = "<!-- acls:end -->"
_AGENCY = "an-agency"  # stands for any agency id in the table's last row
_AGENCY_SHOWN = "<agency id>"


def _cells(resources: Iterable[Resource]) -> str:
    names = [
        f"`{resource.name}*`" if resource.pattern_type == "prefixed" else f"`{resource.name}`"
        for resource in resources
    ]
    return ", ".join(names).replace(_AGENCY, _AGENCY_SHOWN) or "-"


def _row(principal: str, who: str, access: Access) -> str:
    return (
        f"| `{principal}` | {who} | {_cells(access.reads)} | {_cells(access.writes)} | "
        f"{_cells(access.groups)} | {_cells(access.transactional_ids)} |"
    )


def access_table() -> str:
    """One row per service principal and one for any agency; `*` marks a prefix."""
    lines = [
        "| principal | who | reads | writes | consumer groups | transactional ids |",
        "|---|---|---|---|---|---|",
        *(
            _row(s.principal.name, s.principal.description, SERVICE_ACCESS[s.principal])
            for s in SERVICES
        ),
        _row(_AGENCY_SHOWN, "an agency of agencies.yaml", agency_access(_AGENCY)),
    ]
    return "\n".join(lines) + "\n"


def replace_table(text: str, table: str) -> str:
    """`text` with `table` between the markers (one sentence when they are missing)."""
    start, end = text.find(START_MARKER), text.find(END_MARKER)
    if start < 0 or end < start:
        msg = f"no {START_MARKER} ... {END_MARKER} pair to write the access table between"
        raise ValueError(msg)
    return f"{text[: start + len(START_MARKER)]}\n{table}{text[end:]}"
