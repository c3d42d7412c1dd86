"""Use cases of the referral loop: a referrer's referrals and disagreements, the aggregates.

Every use case takes the signed-in user: a duty user sees only their own
agency's referrals and raises disagreements only as that agency; a
`partnership-analyst` sees the aggregates and nothing identifying.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Protocol

from schemas.envelope import envelope, published_by
from services.alerts.domain.partnership import Figures, PartnershipLedger
from services.alerts.domain.referrals import RAISED, Referral, ReferralBook
from services.alerts.domain.users import PARTNERSHIP_ANALYST, DutyUser
from services.alerts.exceptions import (
    DisagreementRefusedError,
    ForbiddenError,
    UnknownReferralError,
)

SYSTEM: Final = "joinedup-alerts"
_DISAGREEMENT_IDS: Final = uuid.UUID("8c3e1f52-4b7a-4d19-9e60-2a5b7c8d9e01")


class DisagreementSink(Protocol):
    """Where disagreement events are published (Kafka in production, a list in tests)."""

    async def publish(self, event: Mapping[str, Any]) -> None:
        """Publish `event`; return once it is durable."""
        ...


@dataclass(frozen=True)
class ReferralsContext:
    """What the referral use cases work with."""

    book: ReferralBook
    ledger: PartnershipLedger
    sink: DisagreementSink
    clock: Callable[[], dt.datetime]
    minimum_cell: int


def _duty_user(user: DutyUser) -> DutyUser:
    if user.role == PARTNERSHIP_ANALYST:
        raise ForbiddenError("a partnership analyst sees the partnership's aggregates only")
    return user


def list_referrals(ctx: ReferralsContext, user: DutyUser) -> list[Referral]:
    """The referrals of the user's agency: waiting ones first, then the newest."""
    return ctx.book.of(_duty_user(user).agency)


def find_referral(ctx: ReferralsContext, user: DutyUser, referral_id: str) -> Referral:
    """One referral of the user's agency; UnknownReferralError for any other id."""
    found = ctx.book.get(_duty_user(user).agency, referral_id)
    if found is None:
        raise UnknownReferralError(f"referral {referral_id!r} is not among your agency's")
    return found


def disagreement_event(referral: Referral, user: DutyUser, at: dt.datetime) -> dict[str, Any]:
    """The ProfessionalDisagreementRaised of the user's agency about a referral's decision.

    Its id is derived from the agency, the referral and the decision, so a
    retried or doubled click publishes the same event, which the thresholds
    worker applies once.
    """
    name = f"{user.agency}/{referral.referral_id}/{referral.decision_event_id}"
    event = envelope(
        RAISED,
        event_id=uuid.uuid5(_DISAGREEMENT_IDS, name),
        occurred_at=at,
        recorded_at=at,
        source=published_by(user.agency, SYSTEM, user.role),
        child_ref=referral.child_ref,
        correlation_id=referral.referral_id,
    )
    event["referrer_agency"] = user.agency
    event["raised_with"] = referral.social_care
    event["about"] = "referral_decision"
    event["stage"] = 1
    event["summary"] = None
    return event


async def raise_disagreement(ctx: ReferralsContext, user: DutyUser, referral_id: str) -> Referral:
    """Publish a disagreement with the decision on one of the agency's referrals (stage 1)."""
    referral = find_referral(ctx, user, referral_id)
    if referral.decision_event_id is None:
        raise DisagreementRefusedError("no decision on this referral has been disclosed yet")
    if not referral.may_disagree:
        raise DisagreementRefusedError("a disagreement about this decision is already open")
    now = ctx.clock()
    at = now.replace(microsecond=now.microsecond // 1000 * 1000)  # Avro keeps millis
    await ctx.sink.publish(disagreement_event(referral, user, at))
    return ctx.book.disagreement_raised(user.agency, referral_id, at)


def partnership_figures(ctx: ReferralsContext, user: DutyUser) -> Figures:
    """The partnership's aggregates, suppressed; partnership analysts only."""
    if user.role != PARTNERSHIP_ANALYST:
        raise ForbiddenError("the partnership figures are for partnership analysts")
    return ctx.ledger.figures(ctx.minimum_cell)
