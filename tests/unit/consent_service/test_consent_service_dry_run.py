import pytest
from consent_service_fakes import (
    CHILD,
    NOW,
    OTHER_CHILD,
    agreement_body,
    directive_body,
    service,
)

from schemas.catalogue import Catalogue
from services.consent import handlers
from services.consent.commands import CreateAgreement, RecordDirective
from services.consent.dry_run import DryRunRequest, dry_run
from services.consent.exceptions import InvalidRequestError

FIELD_CLASSES = Catalogue.load().field_classes


async def with_agreements(*bodies):
    consent = service()
    for body in bodies:
        await handlers.create_agreement(consent, CreateAgreement.model_validate(body))
    return consent


def by_recipient(result):
    return {d.recipient: d for d in result.decisions}


class TestDryRun:
    async def test_permit_names_exact_fields_agreement_basis_and_purpose(self):
        """The recipient of an agreement gets a permit with the envelope and its class's fields."""
        consent = await with_agreements(agreement_body())
        result = dry_run(
            consent,
            DryRunRequest(event_type="AttendanceMarked", provider="school-100001"),
            FIELD_CLASSES,
        )
        permit = by_recipient(result)["la-education"]
        assert permit.decision == "permit"
        assert "register_code" not in permit.fields  # special-category, not allowed
        assert {"school", "session", "session_date", "event_id"} <= set(permit.fields)
        assert (permit.agreement_id, permit.legal_basis, permit.purpose) == (
            "isa-attendance",
            "public-task-ca2004-s16la",
            "attendance-support",
        )

    async def test_every_other_agency_is_decided_and_the_provider_is_not(self):
        """Every agency but the provider gets a decision; those without an agreement are denied."""
        consent = await with_agreements(agreement_body())
        result = by_recipient(
            dry_run(
                consent,
                DryRunRequest(event_type="AttendanceMarked", provider="school-100001"),
                FIELD_CLASSES,
            )
        )
        assert "school-100001" not in result
        assert result["police-west"].decision == "deny"
        assert result["police-west"].reason == "no-agreement"

    async def test_a_gateway_event_gives_type_provider_child_and_fields(self):
        """A gateway-shaped event is read for its type, source.agency, child_ref and fields."""
        consent = await with_agreements(
            agreement_body(data_classes=["operational", "special-category"])
        )
        event = {
            "event_type": "AttendanceMarked",
            "source": {"agency": "school-100002"},
            "child_ref": OTHER_CHILD,
            "school": "school-100002",
            "register_code": "N",
        }
        result = dry_run(consent, DryRunRequest(event=event), FIELD_CLASSES)
        assert (result.provider, result.child_ref) == ("school-100002", OTHER_CHILD)
        permit = by_recipient(result)["la-education"]
        assert "register_code" in permit.fields
        assert "minutes_late" not in permit.fields  # not in the posted event

    async def test_the_childs_withdrawal_is_applied(self):
        """A recorded withdrawal for the purpose denies a consent-based agreement."""
        consent = await with_agreements(
            agreement_body(
                id="isa-early-help",
                provider={"agency": "school-100001"},
                recipient={"agency": "la-social-care"},
                event_types=["ConcernRaised"],
                purpose="early-help",
                legal_basis="consent",
            )
        )
        await handlers.record_directive(
            consent, CHILD, RecordDirective.model_validate(directive_body())
        )
        result = by_recipient(
            dry_run(
                consent,
                DryRunRequest(
                    event_type="ConcernRaised", provider="school-100001", child_ref=CHILD, at=NOW
                ),
                FIELD_CLASSES,
            )
        )
        assert result["la-social-care"].reason == "consent-withdrawn"

    async def test_given_facts_meet_conditions(self):
        """Plans given in the request satisfy the agreement's conditions."""
        consent = await with_agreements(agreement_body(conditions=["child-has-active-cp-plan"]))
        request = {"event_type": "AttendanceMarked", "provider": "school-100001"}
        without = dry_run(consent, DryRunRequest.model_validate(request), FIELD_CLASSES)
        with_plan = dry_run(
            consent,
            DryRunRequest.model_validate({**request, "active_plans": ["cp"]}),
            FIELD_CLASSES,
        )
        assert by_recipient(without)["la-education"].reason == "condition-not-met"
        assert by_recipient(with_plan)["la-education"].decision == "permit"

    async def test_missing_or_unknown_provider_and_type_are_named(self):
        """No event type, or a provider outside the directory, is refused by field."""
        consent = service()
        with pytest.raises(InvalidRequestError) as caught:
            dry_run(consent, DryRunRequest(provider="school-100001"), FIELD_CLASSES)
        assert caught.value.field == "event_type"
        with pytest.raises(InvalidRequestError) as caught:
            dry_run(
                consent,
                DryRunRequest(event_type="AttendanceMarked", provider="nobody"),
                FIELD_CLASSES,
            )
        assert caught.value.field == "provider"


class TestDryRunChildRef:
    @pytest.mark.parametrize(
        ("request_fields", "field"),
        [
            ({"child_ref": "dry-run-child"}, "child_ref"),
            ({"child_ref": "9434765919"}, "child_ref"),
            ({"event": {"event_type": "AttendanceMarked", "child_ref": "=1+1"}}, "event.child_ref"),
        ],
    )
    async def test_a_child_ref_not_of_the_one_form_is_refused_naming_the_field(
        self, request_fields, field
    ):
        """Free text or a raw identifier as a child_ref is a 422 naming where it was given."""
        consent = await with_agreements(agreement_body())
        fields = {"event_type": "AttendanceMarked", "provider": "school-100001", **request_fields}
        if "event" in fields:
            fields["event"] = {**fields["event"], "source": {"agency": "school-100001"}}
        with pytest.raises(InvalidRequestError) as refused:
            dry_run(consent, DryRunRequest(**fields), FIELD_CLASSES)
        assert refused.value.field == field

    async def test_a_real_child_ref_is_accepted(self):
        """A child_ref of the one form is the child whose directives the dry run applies."""
        consent = await with_agreements(agreement_body())
        request = DryRunRequest(
            event_type="AttendanceMarked", provider="school-100001", child_ref=CHILD
        )
        assert (
            by_recipient(dry_run(consent, request, FIELD_CLASSES))["la-education"].decision
            == "permit"
        )
