"""Errors of the audit trail."""

from services.exceptions import JoinedUpError


class AuditError(JoinedUpError):
    """Raised when the audit trail cannot be read or continued (e.g. an unreadable chain tail)."""


class AuditQueryError(AuditError):
    """Raised when an audit index query's filter, cursor or review breaks a rule (a 422)."""

    def __init__(self, field: str, rule: str) -> None:
        """Say which `field` broke which `rule`."""
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule


class AuditIndexUnavailableError(AuditError):
    """Raised when the audit index's database does not answer (a 503: try again later)."""


class RetentionScheduleError(AuditError):
    """Raised when the audit index's retention schedule file breaks a rule (naming the field)."""
