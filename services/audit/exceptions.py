"""Errors of the audit trail."""

from services.exceptions import JoinedUpError


class AuditError(JoinedUpError):
    """Raised when the audit trail cannot be read or continued (e.g. an unreadable chain tail)."""
