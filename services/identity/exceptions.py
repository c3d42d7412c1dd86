"""Errors of identity: identifiers, child_ref keys and identity links."""

from __future__ import annotations

from services.exceptions import JoinedUpError


class IdentityError(JoinedUpError):
    """Raised when identity work cannot be done (bad identifier, key or link)."""


class InvalidIdentifierError(IdentityError):
    """Raised when an identifier breaks its rule; names the field and the rule, never the value."""

    def __init__(self, field: str, rule: str) -> None:
        """Keep the field and the rule apart so callers can report them."""
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule


class ChildRefKeyError(IdentityError):
    """Raised when a child_ref key is too short, duplicated or of an unknown version."""


class InvalidChildRefError(IdentityError):
    """Raised when a string is not a child_ref of the form cr<version>_<base32>."""


class IdentityConflictError(IdentityError):
    """Raised when an identifier is already linked to a different child_ref."""


class MergeRefusedError(IdentityError):
    """Raised when an identity steward's merge or unmerge cannot be done; names field and rule."""

    def __init__(self, field: str, rule: str) -> None:
        """Keep the field and the rule apart so callers can report them."""
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule


class MergeRuleError(MergeRefusedError):
    """Raised when a merge request breaks a rule of its own (the same child_ref twice)."""


class MergeConflictError(MergeRefusedError):
    """Raised when a merge or unmerge conflicts with the merges in force."""


class UnknownMergeError(MergeRefusedError):
    """Raised when an unmerge names a merge id nobody decided."""
