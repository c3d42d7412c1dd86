from consent_service_fakes import CHILD, agreement_body, directive_body, service

from consent.records import agreement_record, directive_key, directive_record
from schemas.codec import AvroCodec
from schemas.schema_source import InMemorySchemaSource
from services.consent import handlers
from services.consent.adapters.kafka import apply_agreement_record, apply_directive_record
from services.consent.commands import CreateAgreement, RecordDirective
from services.consent.state import ConsentState


class TestReplay:
    async def test_records_rebuild_the_same_state(self):
        """Encoded agreement and directive records applied in order give back the state."""
        consent = service()
        made = await handlers.create_agreement(
            consent, CreateAgreement.model_validate(agreement_body())
        )
        held = await handlers.record_directive(
            consent, CHILD, RecordDirective.model_validate(directive_body(id="d-1"))
        )
        codec = AvroCodec(InMemorySchemaSource())
        rebuilt = ConsentState()
        apply_agreement_record(
            rebuilt,
            codec,
            b"isa-attendance",
            codec.encode("SharingAgreementPublished", agreement_record(made)),
        )
        apply_directive_record(
            rebuilt,
            codec,
            directive_key(held.directive),
            codec.encode("ConsentDirectiveRecorded", directive_record(held.directive, 3)),
        )
        assert rebuilt.agreement("isa-attendance") == made
        assert rebuilt.directive(CHILD, "d-1").version == 3

    def test_tombstones_forget_and_garbage_is_skipped(self):
        """A null value removes the keyed record; an undecodable value changes nothing."""
        consent = service()
        state = consent.state
        codec = AvroCodec(InMemorySchemaSource())
        apply_agreement_record(state, codec, b"isa-x", b"not avro")
        assert state.agreements == {}
        state.directives[CHILD] = {}
        apply_directive_record(state, codec, f"{CHILD}/d-1".encode(), None)
        assert state.directive(CHILD, "d-1") is None

    def test_an_older_directive_version_does_not_replace_a_newer(self):
        """Replaying versions out of order keeps the newest."""
        state = ConsentState()
        first = RecordDirective.model_validate(directive_body(id="d", kind="given"))
        second = RecordDirective.model_validate(directive_body(id="d", kind="withdrawn"))
        consent = service()
        directive_one = handlers._directive("c", first, consent.clock())
        directive_two = handlers._directive("c", second, consent.clock())
        state.apply_directive(directive_two, 2)
        state.apply_directive(directive_one, 1)
        assert state.directive("c", "d").directive.kind == "withdrawn"
