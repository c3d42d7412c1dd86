import pytest
from consent_service_fakes import (
    CHILD,
    NOW,
    FakePublisher,
    agreement_body,
    directive_body,
    service,
)
from structlog.testing import capture_logs

from schemas.child_ref import CHILD_REF_RULE
from services.consent import handlers
from services.consent.commands import (
    AgreementDraft,
    CreateAgreement,
    RecordDirective,
    VersionAgreement,
)
from services.consent.exceptions import ConflictError, InvalidRequestError, NotFoundError


def create(**overrides) -> CreateAgreement:
    return CreateAgreement.model_validate(agreement_body(**overrides))


def draft(**overrides) -> AgreementDraft:
    body = agreement_body(**overrides)
    del body["id"]
    return VersionAgreement.model_validate(body)


class TestAgreementHandlers:
    async def test_create_publishes_version_one_and_remembers_it(self):
        """Creating an agreement publishes version 1, active, and the state holds it."""
        publisher = FakePublisher()
        consent = service(publisher)
        made = await handlers.create_agreement(consent, create())
        assert (made.version, made.status) == (1, "active")
        assert publisher.agreements == [made]
        assert consent.state.agreement("isa-attendance") == made

    async def test_create_refuses_a_taken_id(self):
        """A second agreement under the same id is a conflict, and nothing is published."""
        publisher = FakePublisher()
        consent = service(publisher)
        await handlers.create_agreement(consent, create())
        with pytest.raises(ConflictError) as caught:
            await handlers.create_agreement(consent, create())
        assert caught.value.field == "id"
        assert len(publisher.agreements) == 1

    async def test_version_publishes_the_next_version_with_new_content(self):
        """PUT publishes version n+1 carrying the new content; the history keeps both."""
        consent = service()
        await handlers.create_agreement(consent, create())
        newer = await handlers.version_agreement(consent, "isa-attendance", draft(title="New"))
        assert (newer.version, newer.title) == (2, "New")
        assert [a.version for a in consent.state.history("isa-attendance")] == [1, 2]

    async def test_version_of_an_unknown_agreement_is_not_found(self):
        """Versioning an agreement that does not exist names the agreement id."""
        with pytest.raises(NotFoundError) as caught:
            await handlers.version_agreement(service(), "isa-none", draft())
        assert caught.value.field == "agreement_id"

    async def test_version_based_on_a_stale_version_is_a_conflict(self):
        """based_on_version older than the current version is refused (lost update)."""
        consent = service()
        await handlers.create_agreement(consent, create())
        await handlers.version_agreement(consent, "isa-attendance", draft())
        with pytest.raises(ConflictError) as caught:
            await handlers.version_agreement(consent, "isa-attendance", draft(), based_on=1)
        assert caught.value.field == "based_on_version"

    async def test_retire_publishes_a_retired_version_and_freezes_it(self):
        """Retiring publishes version n+1 with status retired; later changes are refused."""
        consent = service()
        await handlers.create_agreement(consent, create())
        retired = await handlers.retire_agreement(consent, "isa-attendance")
        assert (retired.version, retired.status) == (2, "retired")
        with pytest.raises(ConflictError):
            await handlers.version_agreement(consent, "isa-attendance", draft())

    async def test_unknown_agency_and_event_type_are_named(self):
        """A recipient outside the directory or an unknown event type is refused by field."""
        with pytest.raises(InvalidRequestError) as caught:
            await handlers.create_agreement(service(), create(recipient={"agency": "nobody"}))
        assert caught.value.field == "recipient.agency"
        with pytest.raises(InvalidRequestError) as caught:
            await handlers.create_agreement(service(), create(event_types=["NoSuchEvent"]))
        assert caught.value.field == "event_types"

    async def test_a_failed_publish_changes_nothing(self):
        """When the broker does not take the record, the state is unchanged."""
        publisher = FakePublisher()
        publisher.fail = True
        consent = service(publisher)
        with pytest.raises(ConnectionError):
            await handlers.create_agreement(consent, create())
        assert consent.state.agreement("isa-attendance") is None


class TestDirectiveHandlers:
    async def test_record_publishes_version_one_for_the_child(self):
        """A directive is recorded for the child in the URL, stamped with the clock."""
        publisher = FakePublisher()
        consent = service(publisher)
        held = await handlers.record_directive(
            consent, CHILD, RecordDirective.model_validate(directive_body(id="dir-a"))
        )
        assert held.version == 1
        assert held.directive.child_ref == CHILD
        assert publisher.directives == [(held.directive, 1)]
        assert [d.directive.id for d in consent.state.directives_of(CHILD)] == ["dir-a"]

    async def test_recording_the_same_id_again_is_its_next_version(self):
        """A directive id recorded again becomes version 2 of that directive."""
        consent = service()
        for kind in ("given", "withdrawn"):
            held = await handlers.record_directive(
                consent, CHILD, RecordDirective.model_validate(directive_body(id="d", kind=kind))
            )
        assert (held.version, held.directive.kind) == (2, "withdrawn")
        assert len(consent.state.directives_of(CHILD)) == 1

    async def test_recorder_outside_the_directory_is_refused(self):
        """The recording agency must be in the directory."""
        body = directive_body(recorded_by={"agency": "nobody"})
        with pytest.raises(InvalidRequestError) as caught:
            await handlers.record_directive(service(), CHILD, RecordDirective.model_validate(body))
        assert caught.value.field == "recorded_by.agency"

    async def test_a_malformed_child_ref_is_refused_naming_child_ref(self):
        """A ref that is not a child_ref is refused with the rule, and nothing is published."""
        publisher = FakePublisher()
        body = RecordDirective.model_validate(directive_body())
        with pytest.raises(InvalidRequestError) as caught:
            await handlers.record_directive(service(publisher), "c-1", body)
        assert (caught.value.field, caught.value.rule) == ("child_ref", CHILD_REF_RULE)
        assert publisher.directives == []

    async def test_recorded_at_is_the_service_clock(self):
        """A directive recorded through the API is stamped with the service's own clock."""
        held = await handlers.record_directive(
            service(), CHILD, RecordDirective.model_validate(directive_body())
        )
        assert (held.directive.recorded_at, held.directive.stated_at) == (NOW, None)

    async def test_the_log_line_carries_no_child_ref(self):
        """Recording a directive logs its id and kind, never the child's reference."""
        with capture_logs() as logs:
            await handlers.record_directive(
                service(), CHILD, RecordDirective.model_validate(directive_body())
            )
        assert [entry["event"] for entry in logs] == ["directive recorded"]
        assert CHILD not in repr(logs)
