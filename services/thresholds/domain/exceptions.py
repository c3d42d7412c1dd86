"""Errors of the thresholds domain."""

from services.exceptions import JoinedUpError


class ThresholdsError(JoinedUpError):
    """Raised when the thresholds domain cannot do what it was asked."""


class CalendarError(ThresholdsError):
    """Raised when a school calendar file is inconsistent (overlapping terms, bad dates)."""


class DateOutsideCalendarError(CalendarError):
    """Raised when a date falls outside every academic year the calendar covers."""


class RuleConfigError(ThresholdsError):
    """Raised when rule configuration (defaults or a local override) does not validate."""


class UnknownRegisterCodeError(ThresholdsError):
    """Raised when an attendance mark carries a code the register-code table does not know."""


class EventFieldError(ThresholdsError):
    """Raised when an event lacks a field a rule needs, or the field has the wrong type."""
