"""PolicyIndex: agreements compiled into a lookup keyed by (event type, recipient).

The index is immutable. Applying a changed agreement (a new version, a
retirement) returns a new index (`with_agreement`); the router swaps its
reference, so a decision in flight sees one consistent policy and every
event processed after the change sees the new one. Recompiling costs
O(all agreements) but changes are rare next to decisions.

Recipient-kind agreements are expanded against the AgencyDirectory the index
was compiled with; provider-kind agreements are matched by the event's
provider kind, so providers need no expansion. A recipient outside the
directory matches only agreements that name it by id.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from consent.domain.agency import Agency, AgencyDirectory
from consent.domain.agreement import SharingAgreement
from consent.domain.child import ChildState
from consent.domain.codes import PolicyCodes, load_policy_codes
from consent.domain.event import EventFacts
from consent.exceptions import ConflictingAgreementError, StaleAgreementError
from consent.rules import LEAD_BOUND, REFERRER_BOUND, ROLL_BOUND, CompiledRule

_Rules = tuple[CompiledRule, ...]
# (event type, "agency" | "kind", provider id or kind)
_ProviderKey = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class _Bucket:
    """The rules for one (event type, recipient), split by how they name the provider."""

    by_provider: dict[str, _Rules]
    by_provider_kind: dict[str, _Rules]


@dataclass(slots=True)
class _Audience:
    """Recipients with any rule for one provider key: open, or gated by recipient conditions."""

    open: set[str] = field(default_factory=set)
    gated: dict[str, set[frozenset[str]]] = field(default_factory=dict)


def latest_versions(agreements: Iterable[SharingAgreement]) -> dict[str, SharingAgreement]:
    """The newest version of each agreement id; equal versions must be equal."""
    latest: dict[str, SharingAgreement] = {}
    for agreement in agreements:
        current = latest.get(agreement.id)
        if current is None or agreement.version > current.version:
            latest[agreement.id] = agreement
        elif agreement.version == current.version and agreement != current:
            raise ConflictingAgreementError(
                f"agreement {agreement.id!r} version {agreement.version} differs from the "
                "one already applied"
            )
    return latest


class PolicyIndex:
    """The active agreements of a deployment, ready for `decide_disclosure`."""

    __slots__ = ("_agreements", "_audiences", "_buckets", "_memo", "_version", "codes", "directory")

    def __init__(
        self,
        agreements: Mapping[str, SharingAgreement],
        directory: AgencyDirectory,
        codes: PolicyCodes,
    ) -> None:
        self._agreements = dict(agreements)
        self.directory = directory
        self.codes = codes
        active = sorted(
            (a for a in self._agreements.values() if a.status == "active"), key=lambda a: a.id
        )
        self._buckets, self._audiences = _compile(active, directory, codes)
        self._version = _policy_hash(active)
        self._memo: dict[tuple[str, str, str], tuple[tuple[Agency, ...], dict[str, Agency]]] = {}

    @classmethod
    def compile(
        cls,
        agreements: Iterable[SharingAgreement],
        directory: AgencyDirectory,
        codes: PolicyCodes | None = None,
    ) -> PolicyIndex:
        """Compile the newest version of each agreement against the directory."""
        return cls(latest_versions(agreements), directory, codes or load_policy_codes())

    @property
    def policy_version(self) -> str:
        """SHA-256 (hex) of the active agreements' canonical JSON: stable across processes."""
        return self._version

    @property
    def agreements(self) -> tuple[SharingAgreement, ...]:
        """The newest version of every agreement (retired ones included), by id."""
        return tuple(self._agreements[key] for key in sorted(self._agreements))

    def agreement(self, agreement_id: str) -> SharingAgreement | None:
        """The newest version of an agreement, or None."""
        return self._agreements.get(agreement_id)

    def with_agreement(self, agreement: SharingAgreement) -> PolicyIndex:
        """A new index with this agreement version applied (itself when already applied)."""
        current = self._agreements.get(agreement.id)
        if current is not None:
            if agreement.version < current.version:
                raise StaleAgreementError(
                    f"agreement {agreement.id!r} version {agreement.version} is older than "
                    f"version {current.version} already applied"
                )
            if agreement.version == current.version:
                if agreement == current:
                    return self
                raise ConflictingAgreementError(
                    f"agreement {agreement.id!r} version {agreement.version} differs from "
                    "the one already applied"
                )
        return PolicyIndex(
            {**self._agreements, agreement.id: agreement}, self.directory, self.codes
        )

    def with_directory(self, directory: AgencyDirectory) -> PolicyIndex:
        """A new index with recipient kinds expanded against another directory."""
        return PolicyIndex(self._agreements, directory, self.codes)

    def rules_for(self, event: EventFacts, recipient_id: str) -> _Rules:
        """The compiled rules for this event's type and provider and this recipient."""
        bucket = self._buckets.get((event.event_type, recipient_id))
        if bucket is None:
            return ()
        by_id = bucket.by_provider.get(event.provider, ())
        by_kind = bucket.by_provider_kind.get(event.provider_kind, ())
        if not by_kind:
            return by_id
        return by_id + by_kind if by_id else by_kind

    def candidate_recipients(
        self, event: EventFacts, state: ChildState | None = None
    ) -> tuple[Agency, ...]:
        """The agencies with any active agreement for this event type from its provider.

        The provider itself is never a candidate. With `state`, recipients
        whose every agreement needs the child on their roll, them as lead
        professional or them as the event's referrer, and who are none of
        these, are left out: those decisions could only deny, and deciding
        them for every school on every attendance mark would flood the audit
        trail.
        """
        key = (event.event_type, event.provider, event.provider_kind)
        memo = self._memo.get(key)
        if memo is None:
            memo = self._memo[key] = self._audience_of(event)
        open_agencies, gated = memo
        if state is None:
            return open_agencies + tuple(gated[rid] for rid in sorted(gated))
        nearby = set(state.on_roll_at)
        if state.lead_professional is not None:
            nearby.add(state.lead_professional)
        if event.referrer is not None:
            nearby.add(event.referrer)
        passing = sorted(
            rid for rid in nearby if rid in gated and self._passes(key, rid, state, event.referrer)
        )
        return open_agencies + tuple(gated[rid] for rid in passing)

    def _audience_of(self, event: EventFacts) -> tuple[tuple[Agency, ...], dict[str, Agency]]:
        merged = _Audience()
        for pkey in (
            (event.event_type, "agency", event.provider),
            (event.event_type, "kind", event.provider_kind),
        ):
            audience = self._audiences.get(pkey)
            if audience is not None:
                merged.open |= audience.open
                for rid, gate_sets in audience.gated.items():
                    merged.gated.setdefault(rid, set()).update(gate_sets)
        merged.open.discard(event.provider)
        open_ids = sorted(merged.open)
        gated_ids = sorted(set(merged.gated) - merged.open - {event.provider})
        # An agreement may name an agency not (yet) in the directory: no candidate.
        known = self.directory.get
        return (
            tuple(agency for rid in open_ids if (agency := known(rid)) is not None),
            {rid: agency for rid in gated_ids if (agency := known(rid)) is not None},
        )

    def _passes(
        self,
        key: tuple[str, str, str],
        recipient_id: str,
        state: ChildState,
        referrer: str | None,
    ) -> bool:
        event_type, provider, provider_kind = key
        gate_sets: set[frozenset[str]] = set()
        for pkey in ((event_type, "agency", provider), (event_type, "kind", provider_kind)):
            audience = self._audiences.get(pkey)
            if audience is not None:
                gate_sets |= audience.gated.get(recipient_id, set())
        return any(
            (ROLL_BOUND not in gates or recipient_id in state.on_roll_at)
            and (LEAD_BOUND not in gates or state.lead_professional == recipient_id)
            and (REFERRER_BOUND not in gates or referrer == recipient_id)
            for gates in gate_sets
        )


def _compile(
    active: list[SharingAgreement], directory: AgencyDirectory, codes: PolicyCodes
) -> tuple[dict[tuple[str, str], _Bucket], dict[_ProviderKey, _Audience]]:
    by_provider: defaultdict[tuple[str, str], defaultdict[str, list[CompiledRule]]]
    by_provider = defaultdict(lambda: defaultdict(list))
    by_kind: defaultdict[tuple[str, str], defaultdict[str, list[CompiledRule]]]
    by_kind = defaultdict(lambda: defaultdict(list))
    audiences: defaultdict[_ProviderKey, _Audience] = defaultdict(_Audience)
    for agreement in active:
        rule = CompiledRule(agreement, codes)
        gates = rule.gates
        selector = agreement.recipient
        if selector.agency is not None:
            recipients = [selector.agency]
        else:
            recipients = [a.id for a in directory.of_kind(selector.kind or "")]
        provider = agreement.provider
        how, who = ("agency", provider.agency) if provider.agency else ("kind", provider.kind)
        target = by_provider if how == "agency" else by_kind
        for event_type in agreement.event_types:
            audience = audiences[(event_type, how, str(who))]
            for rid in recipients:
                target[(event_type, rid)][str(who)].append(rule)
                if gates:
                    audience.gated.setdefault(rid, set()).add(gates)
                else:
                    audience.open.add(rid)
    buckets = {
        key: _Bucket(
            by_provider={p: tuple(r) for p, r in by_provider.get(key, {}).items()},
            by_provider_kind={k: tuple(r) for k, r in by_kind.get(key, {}).items()},
        )
        for key in by_provider.keys() | by_kind.keys()
    }
    return buckets, dict(audiences)


def _policy_hash(active: list[SharingAgreement]) -> str:
    canonical = json.dumps(
        [a.model_dump(mode="json") for a in active], sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
