"""Loading agreements from files: validation lines, the plan, and applying it through the API."""

from __future__ import annotations

import pytest
import yaml
from consent_service_fakes import (
    AUDITOR,
    OFFICER,
    FakePublisher,
    agreement_body,
    bearer,
    client,
    service,
)

from consent.domain.agreement import SharingAgreement
from services.consent.adapters.agreement_files import read_agreement_files
from services.consent.adapters.consent_api import ConsentApi, ConsentApiError, officer_client
from services.consent.commands import CreateAgreement
from services.consent.loading import ServiceReference, apply_load, plan_load

REFERENCE = ServiceReference(
    agency_ids=frozenset({"la-education", "school-100001"}),
    event_types=frozenset({"AttendanceMarked", "PupilJoinedRoll"}),
)


def write(path, *agreements):
    path.write_text(yaml.safe_dump({"agreements": list(agreements)}))
    return path


def held(**overrides) -> SharingAgreement:
    return SharingAgreement.model_validate({**agreement_body(**overrides), "version": 3})


class TestReadAgreementFiles:
    def test_a_bad_field_is_one_line_naming_the_agreement_and_field(self, tmp_path):
        """An unknown legal basis is reported as `<id>: legal_basis: <rule>`."""
        path = write(tmp_path / "a.yaml", agreement_body(legal_basis="hunch"))
        (problem,) = read_agreement_files([path]).problems
        rule = "Value error, unknown legal basis 'hunch'"
        assert str(problem) == f"isa-attendance: legal_basis: {rule}"

    def test_each_problem_of_an_agreement_has_its_own_line(self, tmp_path):
        """Two broken fields give two lines, each naming the agreement id."""
        body = agreement_body(purpose="gossip", provider={"kind": "school", "agency": "x-1"})
        found = read_agreement_files([write(tmp_path / "a.yaml", body)])
        assert sorted(p.field for p in found.problems) == ["provider", "purpose"]
        assert {p.agreement for p in found.problems} == {"isa-attendance"}
        assert found.drafts == ()

    def test_an_agreement_without_an_id_is_named_by_its_place(self, tmp_path):
        """Without an id the line names the file and the entry's index."""
        body = agreement_body()
        del body["id"]
        (problem,) = read_agreement_files([write(tmp_path / "a.yaml", body)]).problems
        assert str(problem) == "a.yaml agreements[0]: id: Field required"

    def test_a_file_without_an_agreements_list_is_refused(self, tmp_path):
        """A document that is not `agreements: [...]` is one problem naming the file."""
        path = tmp_path / "a.yaml"
        path.write_text("agreement: {}\n")
        (problem,) = read_agreement_files([path]).problems
        assert (problem.agreement, problem.field) == (str(path), "agreements")

    def test_an_id_listed_twice_is_refused(self, tmp_path):
        """The same id in two files is a problem naming the id and both files."""
        first = write(tmp_path / "a.yaml", agreement_body())
        second = write(tmp_path / "b.yaml", agreement_body(title="Again"))
        found = read_agreement_files([first, second])
        (problem,) = found.problems
        assert (problem.agreement, problem.field) == ("isa-attendance", "id")
        assert str(first) in problem.rule
        assert str(second) in problem.rule

    def test_a_folder_stands_for_its_yaml_files(self, tmp_path):
        """A folder loads every *.yaml file in it; an empty one is a problem."""
        write(tmp_path / "a.yaml", agreement_body())
        write(tmp_path / "b.yaml", agreement_body(id="isa-roll"))
        empty = tmp_path / "empty"
        empty.mkdir()
        assert [d.id for d in read_agreement_files([tmp_path]).drafts] == [
            "isa-attendance",
            "isa-roll",
        ]
        assert read_agreement_files([empty]).problems[0].field == "(folder)"


class TestPlanLoad:
    def test_new_changed_and_unchanged_agreements(self):
        """An unknown id is new; a held one is unchanged or gets the next version."""
        drafts = [
            CreateAgreement.model_validate(agreement_body(id="isa-new")),
            CreateAgreement.model_validate(agreement_body(title="Renamed")),
            CreateAgreement.model_validate(agreement_body(id="isa-same")),
        ]
        current = {"isa-attendance": held(), "isa-same": held(id="isa-same")}
        plan = plan_load(drafts, current, REFERENCE)
        assert [(p.change, p.version) for p in plan.agreements] == [
            ("new", 1),
            ("new-version", 4),
            ("unchanged", 3),
        ]
        assert plan.agreements[1].differing == ("title",)
        assert plan.agreements[1].describe() == "isa-attendance: new version 4 (title differ)"
        assert plan.summary() == "1 new, 1 new version(s), 1 unchanged"

    def test_the_same_instant_written_differently_is_unchanged(self):
        """valid_from compares as a time, not as the text written in the file."""
        draft = CreateAgreement.model_validate(
            agreement_body(valid_from="2025-09-01T01:00:00+01:00")
        )
        plan = plan_load([draft], {"isa-attendance": held()}, REFERENCE)
        assert plan.agreements[0].change == "unchanged"

    def test_what_the_service_would_refuse_is_a_problem(self):
        """An agency outside the service's directory or an unknown event type is named."""
        draft = CreateAgreement.model_validate(
            agreement_body(recipient={"agency": "la-nowhere"}, event_types=["SuspensionIssued"])
        )
        plan = plan_load([draft], {}, REFERENCE)
        assert [(p.agreement, p.field) for p in plan.problems] == [
            ("isa-attendance", "recipient.agency"),
            ("isa-attendance", "event_types"),
        ]

    def test_a_retired_agreement_cannot_be_loaded_again(self):
        """A retired id in the service is a problem: the file must use a new id."""
        draft = CreateAgreement.model_validate(agreement_body())
        plan = plan_load([draft], {"isa-attendance": held(status="retired")}, REFERENCE)
        assert [(p.agreement, p.field) for p in plan.problems] == [("isa-attendance", "id")]


class TestLoadThroughTheApi:
    async def test_plan_apply_and_apply_again(self):
        """Applying publishes new and changed agreements; a second load changes nothing."""
        publisher = FakePublisher()
        consent = service(publisher)
        drafts = [
            CreateAgreement.model_validate(agreement_body()),
            CreateAgreement.model_validate(agreement_body(id="isa-roll")),
        ]
        async with client(consent) as http:
            http.headers.update(bearer(OFFICER))
            api = ConsentApi(http)
            plan = plan_load(drafts, await api.agreements(), await api.reference())
            assert publisher.agreements == []
            applied = await apply_load(api, plan)
            changed = [drafts[0], drafts[1].model_copy(update={"title": "Roll changes"})]
            second = plan_load(changed, await api.agreements(), await api.reference())
            await apply_load(api, second)
        assert [p.change for p in applied.agreements] == ["new", "new"]
        assert [(a.id, a.version) for a in publisher.agreements] == [
            ("isa-attendance", 1),
            ("isa-roll", 1),
            ("isa-roll", 2),
        ]
        assert [p.describe() for p in second.agreements] == [
            "isa-attendance: unchanged (version 1)",
            "isa-roll: new version 2 (title differ)",
        ]

    async def test_a_token_without_the_officer_role_is_refused_before_anything(self):
        """An auditor's token fails on the first call, naming JOINEDUP_CONSENT_TOKEN."""
        async with client(service()) as http:
            http.headers.update(bearer(AUDITOR))
            with pytest.raises(ConsentApiError, match=r"^JOINEDUP_CONSENT_TOKEN must be"):
                await ConsentApi(http).reference()

    async def test_an_unknown_token_is_refused(self):
        """A token the service does not know names JOINEDUP_CONSENT_TOKEN and the 401."""
        async with client(service()) as http:
            http.headers.update(bearer("guess"))
            with pytest.raises(ConsentApiError, match=r"answered 401"):
                await ConsentApi(http).agreements()

    async def test_a_refused_write_names_the_agreement_and_field(self):
        """The service's refusal comes back as `<id>: <field>: <rule>`."""
        draft = CreateAgreement.model_validate(agreement_body(recipient={"agency": "la-nowhere"}))
        async with client(service()) as http:
            http.headers.update(bearer(OFFICER))
            with pytest.raises(ConsentApiError) as raised:
                await ConsentApi(http).create(draft)
        assert str(raised.value).startswith("isa-attendance: recipient.agency: ")

    def test_no_token_is_named(self):
        """Without a token no client is built; the sentence names JOINEDUP_CONSENT_TOKEN."""
        with pytest.raises(ConsentApiError, match=r"^JOINEDUP_CONSENT_TOKEN \(or --token\)"):
            officer_client("http://127.0.0.1:8010", None)
