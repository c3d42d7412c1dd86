"""What the consent service knows: every agreement version and each child's directives.

Rebuilt on start by replaying consent.agreements and consent.directives, then
kept current by the service's own writes. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from consent.domain.agreement import SharingAgreement
from consent.domain.directive import ConsentDirective


@dataclass(frozen=True, slots=True)
class VersionedDirective:
    """One directive with the version it was last recorded under."""

    version: int
    directive: ConsentDirective


@dataclass
class ConsentState:
    """Agreement versions by id, and the newest version of each child's directives."""

    agreements: dict[str, dict[int, SharingAgreement]] = field(default_factory=dict)
    directives: dict[str, dict[str, VersionedDirective]] = field(default_factory=dict)

    def apply_agreement(self, agreement: SharingAgreement) -> None:
        """Remember one agreement version (replaying the same version again changes nothing)."""
        self.agreements.setdefault(agreement.id, {})[agreement.version] = agreement

    def forget_agreement(self, agreement_id: str) -> None:
        """Drop an agreement (a tombstone on the compacted topic)."""
        self.agreements.pop(agreement_id, None)

    def apply_directive(self, directive: ConsentDirective, version: int) -> None:
        """Remember a directive version unless a newer one is already known."""
        child = self.directives.setdefault(directive.child_ref, {})
        current = child.get(directive.id)
        if current is None or version >= current.version:
            child[directive.id] = VersionedDirective(version, directive)

    def forget_directive(self, child_ref: str, directive_id: str) -> None:
        """Drop a directive (a tombstone on the compacted topic)."""
        self.directives.get(child_ref, {}).pop(directive_id, None)

    def agreement(self, agreement_id: str) -> SharingAgreement | None:
        """The newest version of an agreement, or None."""
        versions = self.agreements.get(agreement_id)
        return versions[max(versions)] if versions else None

    def history(self, agreement_id: str) -> list[SharingAgreement]:
        """Every known version of an agreement, oldest first."""
        versions = self.agreements.get(agreement_id, {})
        return [versions[number] for number in sorted(versions)]

    def latest_agreements(self) -> list[SharingAgreement]:
        """The newest version of every agreement (retired ones included), by id."""
        found = (self.agreement(agreement_id) for agreement_id in sorted(self.agreements))
        return [agreement for agreement in found if agreement is not None]

    def directives_of(self, child_ref: str) -> list[VersionedDirective]:
        """A child's directives, oldest recorded first."""
        held = self.directives.get(child_ref, {}).values()
        return sorted(held, key=lambda v: (v.directive.recorded_at, v.directive.id))

    def directive(self, child_ref: str, directive_id: str) -> VersionedDirective | None:
        """One of a child's directives, or None."""
        return self.directives.get(child_ref, {}).get(directive_id)
