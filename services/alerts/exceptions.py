"""Errors of the alerts service."""

from services.exceptions import JoinedUpError


class AlertsError(JoinedUpError):
    """Raised when the alerts service cannot do what it was asked."""


class AlertsConfigError(AlertsError):
    """Raised when a duty-user or webhook file is missing or malformed, or a secret is unsafe."""


class UnreadableRecordError(AlertsError):
    """Raised when a view or acknowledgement record cannot be decoded into the read model."""


class UnauthenticatedError(AlertsError):
    """Raised when a request carries no valid bearer token or session."""


class ForbiddenError(AlertsError):
    """Raised when a signed-in user asks for something their agency or role does not allow."""


class UnknownAlertError(AlertsError):
    """Raised when an alert id is not on the signed-in agency's board."""


class BusUnavailableError(AlertsError):
    """Raised when the broker does not take an acknowledgement in time (503, try again)."""


class UnknownReferralError(AlertsError):
    """Raised when a referral id is not among the signed-in agency's referrals."""


class DisagreementRefusedError(AlertsError):
    """Raised when a disagreement cannot be raised: no decision yet, or one is already open."""
