"""What the stream processors read of each event type: one row per event type.

The router's child state and the threshold rules take from this table which
event types they read and which fields hold what. A row says:

- `fact`: the fact about the child the event starts or ends (`starts`):
  "roll" (on a school's roll, the school in the field of role "school"),
  "cp" / "cin" (a child-protection / child-in-need plan, held by the event's
  agency), "lac" (a looked-after episode, likewise), "lead-professional"
  (the agency in the field of role "agency"). The router keeps these for the
  consent conditions, the thresholds worker for its rules.
- `reading`: how the threshold rules read the event, beyond the fact it changes.
- `fields`: the schema field holding each value the processors read, by role.

Adding an event type: its .avsc, plus a row here (or its name in ENVELOPE_ONLY).
tests/unit/contract/test_processing_table.py checks every catalogue event type
is in one of the two, and that every field a row names is in its schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, Literal

Fact = Literal["roll", "cp", "cin", "lac", "lead-professional"]
PLANS: Final[tuple[Fact, ...]] = ("cp", "cin", "lac")
Reading = Literal[
    "register-mark",
    "suspension",
    "permanent-exclusion",
    "domestic-abuse-incident",
    "referral-made",
    "referral-received",
    "referral-decided",
    "assessment-completed",
    "disagreement-raised",
    "disagreement-escalated",
    "disagreement-resolved",
]
Role = Literal[
    "school",
    "session-date",
    "session",
    "register-code",
    "start-date",
    "length-sessions",
    "destination",
    "incident-at",
    "alert-sessions",
    "agency",
    "recipient-agencies",
    "alert-id",
    "payload",
    "merge-id",
    "surviving",
    "absorbed",
    "referrer",
    "referred-to",
    "raised-with",
    "outcome",
    "decided-at",
    "stage",
]


@dataclass(frozen=True, slots=True)
class EventProcessing:
    """What the processors read of one event type, beyond the envelope."""

    fields: Mapping[Role, str] = field(default_factory=dict)
    fact: Fact | None = None
    starts: bool = True
    reading: Reading | None = None

    def name(self, role: Role) -> str:
        """The schema field that holds `role` in this event type."""
        return self.fields[role]


_ALERT_SESSIONS: Final = "unexplained_absence_alert_sessions"
_REFERRER: Final = "referrer_agency"
_MERGE_FIELDS: Final[Mapping[Role, str]] = MappingProxyType(
    {
        "merge-id": "merge_id",
        "surviving": "surviving_child_ref",
        "absorbed": "absorbed_child_ref",
    }
)

PROCESSING: Final[Mapping[str, EventProcessing]] = MappingProxyType(
    {
        "AttendanceMarked": EventProcessing(
            reading="register-mark",
            fields={
                "school": "school",
                "session-date": "session_date",
                "session": "session",
                "register-code": "register_code",
            },
        ),
        "SuspensionIssued": EventProcessing(
            reading="suspension",
            fields={
                "school": "school",
                "start-date": "start_date",
                "length-sessions": "length_sessions",
            },
        ),
        "PermanentExclusionIssued": EventProcessing(
            reading="permanent-exclusion",
            fields={"school": "school", "start-date": "start_date"},
        ),
        "PupilJoinedRoll": EventProcessing(fact="roll", fields={"school": "school"}),
        "PupilLeftRoll": EventProcessing(
            fact="roll", starts=False, fields={"school": "school", "destination": "destination"}
        ),
        "DomesticAbuseIncidentNotified": EventProcessing(
            reading="domestic-abuse-incident",
            fields={"incident-at": "incident_at", "school": "school"},
        ),
        # A plan may set after how many unexplained absence sessions it wants an alert.
        "ChildProtectionPlanStarted": EventProcessing(
            fact="cp", fields={"alert-sessions": _ALERT_SESSIONS}
        ),
        "ChildProtectionPlanEnded": EventProcessing(fact="cp", starts=False),
        "ChildInNeedPlanStarted": EventProcessing(
            fact="cin", fields={"alert-sessions": _ALERT_SESSIONS}
        ),
        "ChildInNeedPlanEnded": EventProcessing(fact="cin", starts=False),
        "LookedAfterEpisodeStarted": EventProcessing(fact="lac"),
        "LookedAfterEpisodeEnded": EventProcessing(fact="lac", starts=False),
        "LeadProfessionalAssigned": EventProcessing(
            fact="lead-professional", fields={"agency": "agency"}
        ),
        # Control events: the router addresses alerts and reads directives and
        # agreements; the thresholds worker reads acknowledgements.
        "AlertRaised": EventProcessing(fields={"recipient-agencies": "recipient_agencies"}),
        "AlertAcknowledged": EventProcessing(fields={"alert-id": "alert_id"}),
        "ConsentDirectiveRecorded": EventProcessing(fields={"payload": "payload"}),
        "SharingAgreementPublished": EventProcessing(fields={"payload": "payload"}),
        # An identity steward's decisions (identity.merges): both processors hand
        # the absorbed child's state over to the surviving child (docs/identity.md).
        "ChildRefsMerged": EventProcessing(fields=_MERGE_FIELDS),
        "ChildRefsUnmerged": EventProcessing(fields=_MERGE_FIELDS),
        # The referral loop (docs/referrals.md): the thresholds worker keeps each
        # referral's clocks; the consent condition recipient-is-referrer reads the
        # agency in the field of role "referrer".
        "ReferralMade": EventProcessing(
            reading="referral-made", fields={"referred-to": "referred_to"}
        ),
        "ReferralReceived": EventProcessing(
            reading="referral-received", fields={"referrer": _REFERRER}
        ),
        "ReferralDecided": EventProcessing(
            reading="referral-decided",
            fields={"referrer": _REFERRER, "outcome": "outcome", "decided-at": "decided_at"},
        ),
        "AssessmentCompleted": EventProcessing(
            reading="assessment-completed", fields={"referrer": _REFERRER, "outcome": "outcome"}
        ),
        "ProfessionalDisagreementRaised": EventProcessing(
            reading="disagreement-raised",
            fields={"referrer": _REFERRER, "raised-with": "raised_with", "stage": "stage"},
        ),
        "ProfessionalDisagreementEscalated": EventProcessing(
            reading="disagreement-escalated", fields={"referrer": _REFERRER, "stage": "stage"}
        ),
        "ProfessionalDisagreementResolved": EventProcessing(
            reading="disagreement-resolved",
            fields={"referrer": _REFERRER, "stage": "stage", "outcome": "outcome"},
        ),
    }
)

# Read by no processor beyond the envelope: the router routes them as it routes
# every event, and a threshold rule counts them by type when its configuration
# names them (`event_types` in the threshold rules, threshold-rules.yaml).
ENVELOPE_ONLY: Final = frozenset(
    {
        "ConcernRaised",
        "DisclosedEvent",
        "DisclosureDecided",
        "IdentifierLinked",
        "MissingEpisodeEnded",
        "MissingEpisodeStarted",
        "MissingPersonReported",
        "OverrideReviewed",
        "UnscheduledCareAttendance",
    }
)
