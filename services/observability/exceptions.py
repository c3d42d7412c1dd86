"""What observability raises."""

from __future__ import annotations

from services.exceptions import JoinedUpError


class ObservabilityError(JoinedUpError):
    """Base of this package's errors."""


class ProbePortError(ObservabilityError):
    """Raised when a worker's metrics and probe port cannot be bound."""
