"""Identity links: (kind, agency, value) -> child_ref, as IdentifierLinked events say.

The index is keyed by the HMAC of the identifier (its would-be child_ref), so
it holds no raw identifier in memory; raw values live only on the restricted,
compacted identity.links topic. Links stay as they were made; the identity
stewards' merges (`merges`, followed from identity.merges) relink them: an
identifier linked to an absorbed child_ref resolves to the surviving one while
the merge is in force, and to its own child_ref again once it is unmerged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from services.identity.domain.child_ref import ChildRefKeyring
from services.identity.domain.identifiers import Identifier, parse_identifier
from services.identity.domain.merges import MergeLedger
from services.identity.exceptions import IdentityConflictError


@dataclass(frozen=True, slots=True)
class IdentityLink:
    """One identifier (by its keyed hash) linked to the child_ref of a child."""

    kind: str
    agency: str | None
    lookup_key: str
    child_ref: str


class IdentityIndex:
    """Resolves identifiers to child_refs from the links seen so far."""

    def __init__(self, keyring: ChildRefKeyring) -> None:
        """Start empty; `keyring` makes the look-up keys."""
        self._keyring = keyring
        self._links: dict[str, IdentityLink] = {}
        self.merges = MergeLedger()

    def __len__(self) -> int:
        """How many identifiers are linked."""
        return len(self._links)

    def resolve(self, identifier: Identifier) -> str | None:
        """The child_ref `identifier` is linked to (its survivor, when merged); None if unlinked."""
        for lookup_key in self._keyring.derive_all(identifier):
            link = self._links.get(lookup_key)
            if link is not None:
                return self.merges.survivor(link.child_ref)
        return None

    def survivor(self, child_ref: str) -> str:
        """`child_ref`, or the child_ref it is merged into (the end of its merge chain)."""
        return self.merges.survivor(child_ref)

    def link(self, identifier: Identifier, child_ref: str) -> IdentityLink:
        """Link `identifier` to `child_ref`; raise if it is linked to another child."""
        existing = self.resolve(identifier)
        if existing is not None and existing != self.merges.survivor(child_ref):
            raise IdentityConflictError(
                f"{identifier.kind}: already linked to a different child_ref; "
                "a merge needs a practitioner's decision"
            )
        return self._store(identifier, child_ref)

    def apply(self, event: Mapping[str, Any]) -> IdentityLink:
        """Apply an IdentifierLinked event (replaying identity.links: the latest link wins)."""
        identifier = parse_identifier(
            event["identifier_kind"], event["identifier_value"], event.get("issuing_agency")
        )
        return self._store(identifier, event["child_ref"])

    def _store(self, identifier: Identifier, child_ref: str) -> IdentityLink:
        link = IdentityLink(
            identifier.kind, identifier.agency, self._keyring.derive(identifier), child_ref
        )
        self._links[link.lookup_key] = link
        return link
