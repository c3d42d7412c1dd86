"""The consent domain model: agencies, agreements, directives, child state, disclosures."""

from consent.domain.agency import Agency, AgencyDirectory, AgencyKind, load_agency_directory
from consent.domain.agreement import Condition, SharingAgreement
from consent.domain.child import ChildState
from consent.domain.codes import LegalBasis, PolicyCodes, Purpose, load_policy_codes
from consent.domain.directive import ConsentDirective, DirectiveKind, RecordedBy
from consent.domain.disclosure import DENY_REASON_TEXT, Deny, DenyReason, Disclosure, Permit
from consent.domain.event import ENVELOPE_OPERATIONAL_FIELDS, DataClass, EventFacts
from consent.domain.period import Period
from consent.domain.selectors import AgencySelector, RecipientSelector

__all__ = [
    "DENY_REASON_TEXT",
    "ENVELOPE_OPERATIONAL_FIELDS",
    "Agency",
    "AgencyDirectory",
    "AgencyKind",
    "AgencySelector",
    "ChildState",
    "Condition",
    "ConsentDirective",
    "DataClass",
    "Deny",
    "DenyReason",
    "DirectiveKind",
    "Disclosure",
    "EventFacts",
    "LegalBasis",
    "Period",
    "Permit",
    "PolicyCodes",
    "Purpose",
    "RecipientSelector",
    "RecordedBy",
    "SharingAgreement",
    "load_agency_directory",
    "load_policy_codes",
]
