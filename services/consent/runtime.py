"""What the HTTP routes call, once the service has rebuilt its state."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from services.audit.index import AuditIndex
from services.audit.trail import AuditTrail
from services.consent.exceptions import NotReadyError
from services.consent.handlers import ConsentService
from services.consent.identity_merges import MergeService
from services.consent.reviews import ReviewPublisher


@dataclass
class Runtime:
    """The consent use cases' dependencies, the audit trail (topic) and its index (database)."""

    service: ConsentService
    audit: AuditTrail
    field_classes: Callable[[str], Mapping[str, str]]
    index: AuditIndex
    reviews: ReviewPublisher
    merges: MergeService | None = None  # identity stewards' merges (None: not set up)


class RuntimeSlot:
    """Holds the runtime from the end of start-up (state rebuilt) until shutdown."""

    def __init__(self, runtime: Runtime | None = None) -> None:
        """Start empty, or already holding `runtime` (tests)."""
        self._runtime = runtime

    def set(self, runtime: Runtime | None) -> None:
        """Fill (or empty) the slot."""
        self._runtime = runtime

    def get(self) -> Runtime:
        """The runtime; NotReadyError (503) before start-up has finished."""
        if self._runtime is None:
            raise NotReadyError("service", "the consent service is starting; try again shortly")
        return self._runtime
