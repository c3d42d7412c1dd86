"""Errors of the consent domain: policy data, agreements, directives and FHIR mapping."""

from services.exceptions import JoinedUpError


class ConsentError(JoinedUpError):
    """Raised when the consent domain cannot do what it was asked."""


class PolicyDataError(ConsentError):
    """Raised when a policy file (code lists, agency directory) is missing or malformed."""


class UnknownCodeError(ConsentError):
    """Raised when a legal basis or purpose code is not in the policy code lists."""


class UnknownAgencyError(ConsentError):
    """Raised when an agency id is not in the agency directory."""


class StaleAgreementError(ConsentError):
    """Raised when an agreement version older than the one in force is applied."""


class ConflictingAgreementError(ConsentError):
    """Raised when two different agreements carry the same id and version."""


class FhirMappingError(ConsentError):
    """Raised when a FHIR Consent cannot be imported or a directive cannot be exported."""
