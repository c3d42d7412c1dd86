"""Agreements compiled for the hot path: plain attributes, precomputed flags."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from consent.domain.agreement import Condition, SharingAgreement
from consent.domain.child import ChildState
from consent.domain.codes import PolicyCodes
from consent.domain.disclosure import DENY_REASON_TEXT, Deny, DenyReason, Permit
from consent.domain.event import ENVELOPE_OPERATIONAL_FIELDS

_END_OF_TIME = datetime.max.replace(tzinfo=UTC)
# Conditions about the recipient rather than the child: they bound who can be
# a candidate recipient at all (see PolicyIndex.candidate_recipients).
ROLL_BOUND: Condition = "recipient-has-child-on-roll"
LEAD_BOUND: Condition = "recipient-is-lead-professional"
REFERRER_BOUND: Condition = "recipient-is-referrer"
RECIPIENT_BOUND: frozenset[Condition] = frozenset({ROLL_BOUND, LEAD_BOUND, REFERRER_BOUND})


class CompiledRule:
    """One agreement version, flattened for fast evaluation.

    Permits and denies are immutable, so a rule keeps the ones it has made
    and hands out the same object again: building a pydantic model costs
    more than the rest of a decision. Permits are kept per event type and
    checked against the event's field classes (the same mapping object on
    the hot path); outcomes that name a child's directive are not kept.
    """

    __slots__ = (
        "_denies",
        "_permits",
        "agreement_id",
        "conditions",
        "data_classes",
        "explicit_fields",
        "legal_basis",
        "purpose",
        "recipient_role",
        "recipient_team",
        "requires_consent",
        "safeguarding",
        "valid_from",
        "valid_to",
        "version",
    )

    def __init__(self, agreement: SharingAgreement, codes: PolicyCodes) -> None:
        basis = codes.legal_basis(agreement.legal_basis)
        self.agreement_id = agreement.id
        self.version = agreement.version
        self.purpose = agreement.purpose
        self.legal_basis = agreement.legal_basis
        self.safeguarding = basis.safeguarding
        self.requires_consent = basis.requires_consent
        self.valid_from = agreement.valid_from
        self.valid_to = agreement.valid_to or _END_OF_TIME
        self.data_classes = agreement.data_classes
        self.explicit_fields = agreement.fields
        # Sorted so that the first unmet condition reported is deterministic.
        self.conditions: tuple[Condition, ...] = tuple(sorted(agreement.conditions))
        self.recipient_team = agreement.recipient.team
        self.recipient_role = agreement.recipient.role
        self._permits: dict[str, tuple[Mapping[str, str], Permit]] = {}
        self._denies: dict[tuple[DenyReason, str], Deny] = {}

    @property
    def gates(self) -> frozenset[Condition]:
        """The recipient-bound conditions of this rule."""
        return frozenset(c for c in self.conditions if c in RECIPIENT_BOUND)

    def in_force(self, at: datetime) -> bool:
        """Whether `at` is within [valid_from, valid_to)."""
        return self.valid_from <= at < self.valid_to

    def unmet_condition(
        self, state: ChildState, recipient_id: str, referrer: str | None = None
    ) -> Condition | None:
        """The first condition that does not hold, or None when all hold.

        `referrer`: the agency the event names as the maker of its referral.
        """
        for condition in self.conditions:
            if condition == "recipient-has-child-on-roll":
                held = recipient_id in state.on_roll_at
            elif condition == "child-has-active-cp-plan":
                held = "cp" in state.active_plans
            elif condition == "child-has-cin-plan":
                held = "cin" in state.active_plans
            elif condition == "child-is-looked-after":
                held = state.looked_after
            elif condition == "recipient-is-referrer":
                held = referrer is not None and referrer == recipient_id
            else:  # recipient-is-lead-professional
                held = state.lead_professional == recipient_id
            if not held:
                return condition
        return None

    def fields_of(self, field_classes: Mapping[str, str]) -> frozenset[str]:
        """The envelope's operational fields plus the event fields this rule allows."""
        classes = self.data_classes
        explicit = self.explicit_fields
        allowed = [
            name for name, cls in field_classes.items() if cls in classes or name in explicit
        ]
        return ENVELOPE_OPERATIONAL_FIELDS.union(allowed)

    def permit(self, event_type: str, field_classes: Mapping[str, str]) -> Permit:
        """The permit this rule gives an event of this type (no override)."""
        kept = self._permits.get(event_type)
        if kept is not None and (kept[0] is field_classes or kept[0] == field_classes):
            return kept[1]
        permit = Permit(
            fields=self.fields_of(field_classes),
            agreement_id=self.agreement_id,
            agreement_version=self.version,
            legal_basis=self.legal_basis,
            purpose=self.purpose,
            recipient_team=self.recipient_team,
            recipient_role=self.recipient_role,
        )
        self._permits[event_type] = (field_classes, permit)
        return permit

    def deny(self, reason: DenyReason, detail: str, *, keep: bool = True) -> Deny:
        """The deny this rule gives for this reason; `keep=False` for per-child details."""
        kept = self._denies.get((reason, detail))
        if kept is not None:
            return kept
        where = f"agreement {self.agreement_id} v{self.version}"
        text = DENY_REASON_TEXT[reason]
        deny = Deny(
            reason=reason,
            detail=f"{text} ({where}: {detail})" if detail else f"{text} ({where})",
            agreement_id=self.agreement_id,
            agreement_version=self.version,
        )
        if keep:
            self._denies[(reason, detail)] = deny
        return deny
