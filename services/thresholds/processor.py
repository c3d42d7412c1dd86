"""The thresholds service as a processor of the transactional loop (exactly once).

In: every agency's `ingest.<agency>`, `alerts.acknowledged`, the identity
stewards' `identity.merges` and the worker's own `<app_id>-handovers`, keyed by
child_ref. Out: AlertRaised events to `alerts.raised` (the router then decides
who may see them) and the per-child state to the compacted changelog
`<app_id>-children` (restored on every assignment by the shared mechanism,
services/bus/stateful.py). Rules run in event time (register dates, occurred_at);
escalation runs on the wall clock, because it is about people not acting
in time, checked every `tick` of the loop.

A merge hands the absorbed child's state over to the surviving child and
forwards the absorbed child's later records (services/bus/merging.py); the
fold is `StoredChild.absorb`. Open alerts move with the hand-over, so an
alert escalates once, under the survivor. Events are de-duplicated per
publishing agency: (source.agency, event_id).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import structlog

from schemas.codec import AvroCodec
from schemas.exceptions import ContractError
from schemas.processing import PROCESSING
from services.bus import topics
from services.bus.child_store import ChildStore, StateCodec
from services.bus.deadletter import dead_letter
from services.bus.merging import MERGE_DECISIONS, MergingProcessor, merge_decision
from services.bus.records import Incoming, Outgoing
from services.bus.settings import BusSettings
from services.thresholds.adapters.alert_records import (
    alert_id,
    escalation_record,
    raised_record,
)
from services.thresholds.adapters.stored import StoredChild
from services.thresholds.domain.calendar import SchoolCalendar
from services.thresholds.domain.escalation import (
    OpenAlert,
    acknowledge,
    due_escalations,
    mark_escalated,
    next_escalation,
)
from services.thresholds.domain.evaluate import apply_event
from services.thresholds.domain.event_fields import envelope
from services.thresholds.domain.exceptions import EventFieldError, ThresholdsError
from services.thresholds.domain.referral_clocks import fire_referral_clocks, referral_due
from services.thresholds.domain.register_codes import RegisterCodes
from services.thresholds.domain.rules import RuleSet

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class ThresholdsTopics:
    """Topic names (defaults: services/bus/topics.py)."""

    alerts: str = topics.ALERTS_RAISED
    acknowledgements: str = topics.ALERTS_ACKNOWLEDGED
    merges: str = topics.IDENTITY_MERGES


@dataclass(frozen=True)
class Policy:
    """The rules, the school calendar and how register codes count."""

    rules: RuleSet
    calendar: SchoolCalendar
    codes: RegisterCodes


def stored_child_codec() -> StateCodec[StoredChild]:
    """How the thresholds worker writes a child's state to its changelog."""
    return StateCodec(StoredChild.to_json, StoredChild.from_json)


class ThresholdsProcessor(MergingProcessor[StoredChild]):
    """Applies each event to its child's state and turns drafts into AlertRaised events."""

    def __init__(
        self,
        settings: BusSettings,
        codec: AvroCodec,
        policy: Policy,
        app_id: str,
        names: ThresholdsTopics,
    ) -> None:
        """Keep state for the children of the partitions assigned to this worker."""
        super().__init__(
            settings,
            ChildStore(topics.changelog(app_id), stored_child_codec()),
            topics.handovers(app_id),
        )
        self._codec = codec
        self._policy = policy
        self._names = names
        self._severity = {rule.id: rule.severity for rule in policy.rules.all()}

    def handle(self, record: Incoming) -> list[Outgoing]:
        """The records one consumed record produces; contract breaches go to dead letter."""
        if record.topic == self.handovers:
            return self.take_over(record)
        return self._handle(record, None)

    def handle_as(self, record: Incoming, child_ref: str) -> list[Outgoing]:
        """A record forwarded from an absorbed child, applied as the survivor `child_ref`'s."""
        return self._handle(record, child_ref)

    def _handle(self, record: Incoming, survivor: str | None) -> list[Outgoing]:
        try:
            event = self._codec.decode(record.value or b"")
            event_type = event["event_type"]
            if event_type in MERGE_DECISIONS:
                decision = merge_decision(event, PROCESSING[event_type].fields)
                return self.decided(record.partition, decision)
            if survivor is None:
                child_ref = str(event["child_ref"])
                forwarded = self.forwarded(record, child_ref)
                if forwarded is not None:
                    return forwarded
            else:
                child_ref = event["child_ref"] = survivor
            if event_type == "AlertAcknowledged":
                return self._acknowledged(event, record.partition, child_ref)
            return self._applied(event, record.partition, child_ref)
        except ContractError as exc:
            return [dead_letter(record, "undecodable", str(exc))]
        except ThresholdsError as exc:
            return [dead_letter(record, "unprocessable", f"{type(exc).__name__}: {exc}")]

    def empty(self, child_ref: str) -> StoredChild:  # noqa: ARG002 - the same for every child
        """Nothing known about a child."""
        return StoredChild()

    def fold(self, survivor: StoredChild, absorbed: StoredChild, child_ref: str) -> StoredChild:
        """The survivor's state with the absorbed child's rule state and open alerts in it."""
        return survivor.absorb(absorbed, child_ref)

    def hand_over(self, state: StoredChild) -> tuple[StoredChild, StoredChild]:
        """Everything goes to the survivor; the absorbed child keeps all but its open alerts."""
        return StoredChild(state.state.copy(), {}, list(state.recent)), state

    def due_of(self, state: StoredChild) -> dt.datetime | None:
        """When the child next has something due: an alert's escalation or a referral clock."""
        moments = (next_escalation(state.open_alerts.values()), referral_due(state.state))
        return min((m for m in moments if m is not None), default=None)

    def _save(self, partition: int, child_ref: str, child: StoredChild) -> Outgoing:
        return self.keep(partition, child_ref, child)

    def _alert(self, child_ref: str, record: dict[str, object]) -> Outgoing:
        return Outgoing(
            self._names.alerts, child_ref.encode(), self._codec.encode("AlertRaised", record)
        )

    def _applied(self, event: dict[str, object], partition: int, child_ref: str) -> list[Outgoing]:
        child = self.store.get(partition, child_ref) or StoredChild()
        published = envelope(event)
        event_id, agency = published.event_id, published.agency
        if child.seen(agency, event_id):
            return []
        policy = self._policy
        child.state, drafts = apply_event(
            child.state, event, policy.rules, policy.calendar, policy.codes
        )
        child.remember(agency, event_id)
        out: list[Outgoing] = []
        for draft in drafts:
            due_by = draft.due_by or policy.calendar.next_school_day_start(draft.raised_at)
            record = raised_record(draft, due_by)
            out.append(self._alert(child_ref, record))
            if draft.due_by is not None and draft.escalate_to:
                child.open_alerts[draft.dedupe_key] = OpenAlert.from_draft(draft)
            log.info("alert raised", rule=draft.rule_id, alert_id=str(record["alert_id"]))
        out.append(self._save(partition, child_ref, child))
        return out

    def _acknowledged(
        self, event: dict[str, object], partition: int, child_ref: str
    ) -> list[Outgoing]:
        child = self.store.get(partition, child_ref)
        if child is None:
            return []
        acknowledged = str(event["alert_id"])
        at = event["occurred_at"]
        if not isinstance(at, dt.datetime):
            raise EventFieldError("occurred_at: must be a timestamp")
        for key, alert in list(child.open_alerts.items()):
            if str(alert_id(key)) == acknowledged:
                child.open_alerts[key] = acknowledge(alert, at)
        return [self._save(partition, child_ref, child)]

    def tick(self, now: dt.datetime) -> list[Outgoing]:
        """What is due now: escalations, and the referral clocks.

        Escalations of alerts nobody acknowledged by their deadline; the referral
        clocks (a decision, feedback, an assessment or a disagreement stage
        overdue: services/thresholds/domain/referral_clocks.py).
        """
        out: list[Outgoing] = []
        for partition, child_ref in self.store.due(now):
            child = self.store.get(partition, child_ref)
            if child is None:
                continue
            changed = self._escalate(child, child_ref, now, out)
            changed = self._referral_clocks(child, child_ref, now, out) or changed
            if changed:
                out.append(self._save(partition, child_ref, child))
        return out

    def _escalate(
        self, child: StoredChild, child_ref: str, now: dt.datetime, out: list[Outgoing]
    ) -> bool:
        due = due_escalations(child.open_alerts.values(), now)
        for escalation in due:
            key = escalation.dedupe_key.removesuffix(":escalated")
            alert = child.open_alerts[key]
            severity = self._severity.get(alert.rule_id, "high")
            out.append(self._alert(child_ref, escalation_record(escalation, alert, severity)))
            child.open_alerts[key] = mark_escalated(alert)
            log.info("alert escalated", rule=alert.rule_id)
        return bool(due)

    def _referral_clocks(
        self, child: StoredChild, child_ref: str, now: dt.datetime, out: list[Outgoing]
    ) -> bool:
        policy = self._policy
        before = referral_due(child.state)
        drafts = fire_referral_clocks(child.state, child_ref, now, policy.rules, policy.calendar)
        for draft in drafts:
            due_by = draft.due_by or policy.calendar.next_school_day_start(draft.raised_at)
            out.append(self._alert(child_ref, raised_record(draft, due_by)))
            log.info("referral clock fired", rule=draft.rule_id)
        return bool(drafts) or referral_due(child.state) != before
