"""Errors of the SDK: publishing, identity look-ups, subscribing."""

from services.exceptions import JoinedUpError


class SdkError(JoinedUpError):
    """Raised when the SDK cannot do what an agency system asked."""


class PublishError(SdkError):
    """Raised when an event cannot be published (it was not written to Kafka)."""


class WrongAgencyError(PublishError):
    """Raised when an event's `source.agency` is not the agency the publisher publishes for."""

    def __init__(self, field: str, rule: str) -> None:
        """Keep the field and the rule apart so callers can report them."""
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule


class IdentityLookupError(SdkError):
    """Raised when the bus cannot turn an identifier into a child_ref (names field and rule)."""

    def __init__(self, field: str, rule: str) -> None:
        """Keep the field and the rule apart; never the identifier's value."""
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule


class RegisterFormatError(SdkError, ValueError):
    """Raised when a register file's header row lacks a required column (the file is unusable)."""


class NotADisclosureError(SdkError):
    """Raised when a record of a view is not a DisclosedEvent (names the field and the rule)."""

    def __init__(self, field: str, rule: str) -> None:
        """Keep the field and the rule apart so the dead letter and callers can name them."""
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule


class SubscribeError(SdkError):
    """Raised when a subscriber cannot read its view (bad name, Kafka unreachable)."""
