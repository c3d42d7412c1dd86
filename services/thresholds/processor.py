"""The thresholds service as a processor of the transactional loop (exactly once).

In: every agency's `ingest.<agency>` and `alerts.acknowledged`, keyed by
child_ref. Out: AlertRaised events to `alerts.raised` (the router then decides
who may see them) and the per-child state to the compacted changelog
`<app_id>-children` (restored on every assignment by the shared mechanism,
services/bus/stateful.py). Rules run in event time (register dates, occurred_at);
escalation runs on the wall clock, because it is about people not acting
in time, checked every `tick` of the loop.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import structlog

from schemas.codec import AvroCodec
from schemas.exceptions import ContractError
from services.bus import topics
from services.bus.child_store import ChildStore, StateCodec
from services.bus.deadletter import dead_letter
from services.bus.records import Incoming, Outgoing
from services.bus.settings import BusSettings
from services.bus.stateful import ChildProcessor
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
from services.thresholds.domain.exceptions import EventFieldError, ThresholdsError
from services.thresholds.domain.register_codes import RegisterCodes
from services.thresholds.domain.rules import RuleSet

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class ThresholdsTopics:
    """Topic names (defaults: services/bus/topics.py)."""

    alerts: str = topics.ALERTS_RAISED
    acknowledgements: str = topics.ALERTS_ACKNOWLEDGED


@dataclass(frozen=True)
class Policy:
    """The rules, the school calendar and how register codes count."""

    rules: RuleSet
    calendar: SchoolCalendar
    codes: RegisterCodes


def stored_child_codec() -> StateCodec[StoredChild]:
    """How the thresholds worker writes a child's state to its changelog."""
    return StateCodec(StoredChild.to_json, StoredChild.from_json)


class ThresholdsProcessor(ChildProcessor[StoredChild]):
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
        super().__init__(settings, ChildStore(topics.changelog(app_id), stored_child_codec()))
        self._codec = codec
        self._policy = policy
        self._names = names
        self._severity = {rule.id: rule.severity for rule in policy.rules.all()}

    def handle(self, record: Incoming) -> list[Outgoing]:
        """The records one consumed record produces; contract breaches go to dead letter."""
        try:
            event = self._codec.decode(record.value or b"")
            child_ref = str(event["child_ref"])
            if event["event_type"] == "AlertAcknowledged":
                return self._acknowledged(event, record.partition, child_ref)
            return self._applied(event, record.partition, child_ref)
        except ContractError as exc:
            return [dead_letter(record, "undecodable", str(exc))]
        except ThresholdsError as exc:
            return [dead_letter(record, "unprocessable", f"{type(exc).__name__}: {exc}")]

    def _save(self, partition: int, child_ref: str, child: StoredChild) -> Outgoing:
        due = next_escalation(child.open_alerts.values())
        return self.store.put(partition, child_ref, child, due)

    def _alert(self, child_ref: str, record: dict[str, object]) -> Outgoing:
        return Outgoing(
            self._names.alerts, child_ref.encode(), self._codec.encode("AlertRaised", record)
        )

    def _applied(self, event: dict[str, object], partition: int, child_ref: str) -> list[Outgoing]:
        child = self.store.get(partition, child_ref) or StoredChild()
        event_id = str(event["event_id"])
        if child.seen(event_id):
            return []
        policy = self._policy
        child.state, drafts = apply_event(
            child.state, event, policy.rules, policy.calendar, policy.codes
        )
        child.remember(event_id)
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
        """Escalations due now, for alerts nobody acknowledged by their deadline."""
        out: list[Outgoing] = []
        for partition, child_ref in self.store.due(now):
            child = self.store.get(partition, child_ref)
            if child is None:
                continue
            due = due_escalations(child.open_alerts.values(), now)
            for escalation in due:
                key = escalation.dedupe_key.removesuffix(":escalated")
                alert = child.open_alerts[key]
                severity = self._severity.get(alert.rule_id, "high")
                out.append(self._alert(child_ref, escalation_record(escalation, alert, severity)))
                child.open_alerts[key] = mark_escalated(alert)
                log.info("alert escalated", rule=alert.rule_id)
            if due:
                out.append(self._save(partition, child_ref, child))
        return out
