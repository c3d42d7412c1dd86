"""Imported directives are ordered by when they were received, never by a time they state."""

from datetime import timedelta

import consent_examples as ex
import pytest

from consent.decision import decide_disclosure
from consent.domain import Deny, Permit
from consent.fhir import (
    FhirImportError,
    directive_from_fhir_r4,
    directive_from_fhir_r5,
    directive_to_fhir_r4,
    directive_to_fhir_r5,
    directives_from_fhir,
)
from consent.fhir.terms import RECORDED_AT_EXTENSION, STATED_AT_EXTENSION

RECEIVED = ex.AT + timedelta(hours=2)


def stamped(resource, url, moment):
    """`resource` with the extension `url` (a time) set to `moment`."""
    for extension in resource["extension"]:
        if extension["url"] == url:
            extension["valueDateTime"] = moment.isoformat()
            return resource
    resource["extension"].append({"url": url, "valueDateTime": moment.isoformat()})
    return resource


def refused_paths(read, resource):
    with pytest.raises(FhirImportError) as caught:
        read(resource, received_at=RECEIVED)
    return [problem.path for problem in caught.value.problems]


class TestReceivedNotStated:
    def test_recorded_at_is_the_receipt_and_the_document_time_is_kept_as_stated(self):
        """recorded_at is the service's receipt time; the document's own time is stated_at."""
        stated = RECEIVED - timedelta(days=3)
        resource = stamped(directive_to_fhir_r5(ex.withdrawal()), RECORDED_AT_EXTENSION, stated)
        directive = directive_from_fhir_r5(resource, received_at=RECEIVED)
        assert (directive.recorded_at, directive.stated_at) == (RECEIVED, stated)

    @pytest.mark.parametrize("url", [RECORDED_AT_EXTENSION, STATED_AT_EXTENSION])
    def test_a_document_dated_in_the_future_is_refused(self, url):
        """A time stated beyond the clock skew is refused, naming the element."""
        resource = stamped(directive_to_fhir_r5(ex.withdrawal()), url, RECEIVED + timedelta(days=1))
        name = url.rsplit("/", 1)[-1]
        assert refused_paths(directive_from_fhir_r5, resource) == [f"Consent.extension({name})"]

    def test_r4_date_time_in_the_future_is_refused(self):
        """R4 Consent.dateTime after the receipt (plus skew) is refused."""
        resource = directive_to_fhir_r4(ex.withdrawal())
        resource["dateTime"] = (RECEIVED + timedelta(hours=1)).isoformat()
        assert refused_paths(directive_from_fhir_r4, resource) == ["Consent.dateTime"]

    def test_r5_date_in_the_future_is_refused(self):
        """An R5 Consent.date after today is refused."""
        resource = directive_to_fhir_r5(ex.withdrawal())
        resource["date"] = (RECEIVED + timedelta(days=2)).date().isoformat()
        assert refused_paths(directive_from_fhir_r5, resource) == ["Consent.date"]

    def test_a_time_within_the_clock_skew_is_accepted(self):
        """A document a minute ahead of the service's clock is a clock difference, not a lie."""
        ahead = RECEIVED + timedelta(minutes=1)
        resource = stamped(directive_to_fhir_r4(ex.withdrawal()), RECORDED_AT_EXTENSION, ahead)
        resource["dateTime"] = ahead.isoformat()
        directive = directive_from_fhir_r4(resource, received_at=RECEIVED)
        assert (directive.recorded_at, directive.stated_at) == (RECEIVED, ahead)

    def test_bundle_entries_are_received_in_their_order(self):
        """Each entry of a Bundle is received after the one before it."""
        entries = [
            directive_to_fhir_r5(ex.withdrawal(id=f"dir-{n}", kind=kind))
            for n, kind in enumerate(("given", "withdrawn", "given"))
        ]
        bundle = {"resourceType": "Bundle", "type": "collection", "entry": []}
        bundle["entry"] = [{"resource": resource} for resource in entries]
        times = [d.recorded_at for d in directives_from_fhir(bundle, "R5", RECEIVED)]
        assert times[0] == RECEIVED
        assert times == sorted(set(times))

    def test_bundle_problems_name_their_entry(self):
        """Problems of several entries come in one error, each under its entry."""
        good = directive_to_fhir_r5(ex.withdrawal())
        late = stamped(
            directive_to_fhir_r5(ex.withdrawal(id="dir-2")),
            RECORDED_AT_EXTENSION,
            RECEIVED + timedelta(days=9),
        )
        bundle = {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": good}, {"resource": late}, {"resource": {"resourceType": "X"}}],
        }
        with pytest.raises(FhirImportError) as caught:
            directives_from_fhir(bundle, "R5", RECEIVED)
        assert [p.path for p in caught.value.problems] == [
            "entry[1].Consent.extension(recorded-at)",
            "entry[2].resource",
        ]


class TestAWithdrawalReceivedLaterGoverns:
    def test_a_later_dated_consent_does_not_outrank_a_withdrawal_received_after_it(self):
        """Consent (dated later) then withdrawal (dated earlier): the withdrawal governs."""
        policy = ex.index(ex.agreement(legal_basis="consent", purpose="early-help"))
        consent = stamped(
            directive_to_fhir_r4(ex.withdrawal(id="dir-consent", kind="given")),
            RECORDED_AT_EXTENSION,
            ex.AT - timedelta(hours=1),
        )
        withdrawal = stamped(
            directive_to_fhir_r4(ex.withdrawal(id="dir-withdrawal")),
            RECORDED_AT_EXTENSION,
            ex.AT - timedelta(days=20),
        )
        directives = (
            directive_from_fhir_r4(consent, received_at=ex.AT - timedelta(minutes=30)),
            directive_from_fhir_r4(withdrawal, received_at=ex.AT - timedelta(minutes=10)),
        )
        before = decide_disclosure(
            ex.attendance(),
            ex.agency("la-education"),
            ex.state(directives=directives[:1]),
            policy,
            ex.AT,
        )
        after = decide_disclosure(
            ex.attendance(),
            ex.agency("la-education"),
            ex.state(directives=directives),
            policy,
            ex.AT,
        )
        assert isinstance(before, Permit)
        assert isinstance(after, Deny)
        assert after.reason == "consent-withdrawn"
        assert "dir-withdrawal" in after.detail
