"""Identity use cases: resolve a child's identifiers to one child_ref, record the links."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from schemas.models.common import Source
from schemas.models.identity import IdentifierLinked
from services.identity.domain.child_ref import ChildRefKeyring
from services.identity.domain.identifiers import Identifier
from services.identity.domain.links import IdentityIndex
from services.identity.exceptions import InvalidIdentifierError


@dataclass(frozen=True, slots=True)
class Resolution:
    """The child_ref for a set of identifiers and the IdentifierLinked events to publish."""

    child_ref: str
    links: list[dict[str, Any]]


def _choose_child_ref(
    identifiers: Sequence[Identifier], keyring: ChildRefKeyring, index: IdentityIndex
) -> str:
    """The NHS number's child_ref; else an existing link's; else the first identifier's.

    Always the surviving child_ref: a ref an identity steward merged into
    another resolves to that other (IdentityIndex.survivor).
    """
    for identifier in identifiers:
        if identifier.kind == "nhs_number":
            return index.resolve(identifier) or index.survivor(keyring.derive(identifier))
    for identifier in identifiers:
        linked = index.resolve(identifier)
        if linked is not None:
            return linked
    return index.survivor(keyring.derive(identifiers[0]))


@dataclass(frozen=True, slots=True)
class IdentityResolver:
    """Resolves a child's identifiers with the bus's keyring and the identity links seen."""

    keyring: ChildRefKeyring
    index: IdentityIndex

    def resolve(
        self,
        identifiers: Sequence[Identifier],
        *,
        source: Source,
        method: str,
        now: datetime | None = None,
    ) -> Resolution:
        """Resolve `identifiers` (one child) to a child_ref; link every one not yet linked.

        Every identifier is linked, the one the child_ref was derived from too, so
        that a rotated key still finds the child's existing child_ref.
        """
        if not identifiers:
            raise InvalidIdentifierError("identifiers", "at least one identifier is needed")
        child_ref = _choose_child_ref(identifiers, self.keyring, self.index)
        moment = now or datetime.now(UTC)
        moment = moment.replace(microsecond=moment.microsecond // 1000 * 1000)  # Avro millis
        links = []
        for identifier in identifiers:
            if self.index.resolve(identifier) == child_ref:
                continue
            self.index.link(identifier, child_ref)
            event = IdentifierLinked(
                event_id=uuid.uuid4(),
                occurred_at=moment,
                recorded_at=moment,
                source=source,
                child_ref=child_ref,
                identifier_kind=identifier.kind,
                identifier_value=identifier.value,
                issuing_agency=identifier.agency,
                key_version=self.keyring.current,
                method=method,
            )
            links.append(event.to_record())
        return Resolution(child_ref, links)
