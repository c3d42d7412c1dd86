"""The sharing map: which providers share which event types with which recipients, as SVG.

Drawn from the agreements in force now (the consent service's state), not
from the audit: it shows what may be shared, whatever has been. Three
columns - providers, event types, recipients - joined by one line per
agreement and event type, coloured per recipient.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final

from consent.domain.agency import AgencyDirectory
from consent.domain.agreement import SharingAgreement
from consent.domain.selectors import AgencySelector, RecipientSelector
from services.audit.svg import MUTED, PALETTE, Picture, clipped

WIDTH: Final = 960
BOX_WIDTH: Final = 230
BOX_HEIGHT: Final = 24
ROW: Final = 32
TOP: Final = 64
COLUMNS: Final = (20, 365, 710)


def _selector_label(selector: AgencySelector, directory: AgencyDirectory) -> str:
    if selector.agency is not None:
        agency = directory.get(selector.agency)
        label = agency.name if agency else selector.agency
    else:
        label = f"every {selector.kind} agency"
    if isinstance(selector, RecipientSelector) and selector.team:
        label += f" ({selector.team})"
    return label


def _box(picture: Picture, column: int, row: int, label: str) -> None:
    x, y = COLUMNS[column], TOP + row * ROW
    shape = {"x": x, "y": y, "width": BOX_WIDTH, "height": BOX_HEIGHT, "rx": 4}
    picture.shape("rect", {**shape, "fill": "#eef2f6", "stroke": MUTED}, label)
    picture.text(x + 8, y + 17, clipped(label, 29))


def _link(
    picture: Picture, start: tuple[int, int], end: tuple[int, int], how: dict[str, str]
) -> None:
    (c1, r1), (c2, r2) = start, end
    x1, y1 = COLUMNS[c1] + BOX_WIDTH, TOP + r1 * ROW + BOX_HEIGHT / 2
    x2, y2 = COLUMNS[c2], TOP + r2 * ROW + BOX_HEIGHT / 2
    middle = (x1 + x2) / 2
    path = f"M{x1:.1f},{y1:.1f} C{middle:.1f},{y1:.1f} {middle:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"
    picture.shape(
        "path",
        {"d": path, "fill": "none", "stroke": how["colour"], "stroke-width": 1.6},
        how["tooltip"],
    )


def sharing_map(
    agreements: Sequence[SharingAgreement], directory: AgencyDirectory, now: datetime
) -> str:
    """The map of the agreements in force at `now`."""
    active = [a for a in agreements if a.in_force(now)]
    providers = sorted({_selector_label(a.provider, directory) for a in active})
    types = sorted({t for a in active for t in a.event_types})
    recipients = sorted({_selector_label(a.recipient, directory) for a in active})
    rows = max(len(providers), len(types), len(recipients), 1)
    described = (
        f"{len(active)} agreements in force: {len(providers)} providers share "
        f"{len(types)} event types with {len(recipients)} recipients"
    )
    picture = Picture(WIDTH, TOP + rows * ROW + 20, "Sharing map: agreements in force", described)
    picture.text(
        0, 20, "Sharing map: agreements in force", {"font-size": 16, "font-weight": "bold"}
    )
    for column, heading in enumerate(("Provider", "Event type", "Recipient")):
        picture.text(COLUMNS[column], TOP - 14, heading, {"font-weight": "bold"})
    if not active:
        picture.text(COLUMNS[0], TOP + 17, "No agreement is in force.", {"fill": MUTED})
        return picture.render()
    colour = {name: PALETTE[n % len(PALETTE)] for n, name in enumerate(recipients)}
    seen: set[tuple[str, int, int]] = set()
    for agreement in active:
        provider = providers.index(_selector_label(agreement.provider, directory))
        recipient_label = _selector_label(agreement.recipient, directory)
        recipient = recipients.index(recipient_label)
        how = {
            "colour": colour[recipient_label],
            "tooltip": f"{agreement.id} v{agreement.version}: {agreement.title}",
        }
        for event_type in sorted(agreement.event_types):
            row = types.index(event_type)
            if ("in", provider, row) not in seen:
                seen.add(("in", provider, row))
                _link(picture, (0, provider), (1, row), {**how, "colour": MUTED})
            if (recipient_label, row, recipient) not in seen:
                seen.add((recipient_label, row, recipient))
                _link(picture, (1, row), (2, recipient), how)
    for column, labels in enumerate((providers, types, recipients)):
        for row, label in enumerate(labels):
            _box(picture, column, row, label)
    return picture.render()
