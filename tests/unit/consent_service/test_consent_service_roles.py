"""Who may use the audit routes: roles checked before anything is read (no database here).

This client's audit index has no database: a route that lets the caller
through answers 503 (database), one that refuses answers 401 or 403 first.
"""

import pytest
from consent_service_fakes import AUDITOR, CHILD, IG_LEAD, OFFICER, bearer, client, service

from services.config.files import packaged_default
from services.consent.exceptions import ForbiddenError
from services.consent.users import UserDirectory

REVIEW = {"outcome": "upheld", "note": "justified: immediate risk"}
READS = [
    "/v1/audit/decisions",
    "/v1/audit/decisions.csv",
    f"/v1/audit/children/{CHILD}/report",
    "/v1/audit/overrides",
    "/v1/oversight/summary",
    "/v1/oversight/charts/disclosures.svg",
    "/v1/oversight/charts/denies.svg",
]
AUDITOR_ONLY = READS[:3]
OVERSEEN = READS[3:]


async def statuses(token: str | None) -> dict[str, int]:
    """The status of every audit route (GETs and the review POST) for `token`."""
    headers = bearer(token) if token else {}
    found = {}
    async with client(service()) as http:
        for path in READS:
            found[path] = (await http.get(path, headers=headers)).status_code
        post = await http.post("/v1/audit/overrides/0/5/reviews", json=REVIEW, headers=headers)
        found["review"] = post.status_code
    return found


class TestAuditRoles:
    async def test_no_token_is_401_everywhere(self):
        """Every audit route needs a bearer token."""
        assert set((await statuses(None)).values()) == {401}

    async def test_a_consent_officer_reads_no_audit(self):
        """Search, export, subject access, queue, figures and reviews are refused to officers."""
        assert set((await statuses(OFFICER)).values()) == {403}

    async def test_an_auditor_reads_everything_but_records_no_review(self):
        """Auditors pass every read (503: no database here); a review is 403."""
        found = await statuses(AUDITOR)
        assert found.pop("review") == 403
        assert set(found.values()) == {503}

    async def test_an_ig_lead_sees_the_queue_and_reviews_but_no_search(self):
        """An IG lead passes the queue, the figures and the review, not search or subject access."""
        found = await statuses(IG_LEAD)
        assert {found[path] for path in AUDITOR_ONLY} == {403}
        assert {found[path] for path in OVERSEEN} == {503}
        assert found["review"] == 503

    async def test_a_review_body_breaking_a_rule_is_422_naming_the_field(self):
        """Outcome, note and the URL's numbers are checked before the index is read."""
        cases = [
            ({"outcome": "maybe", "note": "x"}, "0/1", "outcome"),
            ({"outcome": "upheld", "note": ""}, "0/1", "note"),
            ({"outcome": "upheld", "note": "   "}, "0/1", "note"),
            ({"outcome": "upheld", "note": "x" * 2001}, "0/1", "note"),
            ({"outcome": "upheld"}, "0/1", "note"),
            (REVIEW, "-1/1", "partition"),
            (REVIEW, "0/x", "offset"),
        ]
        async with client(service()) as http:
            for body, where, field in cases:
                answer = await http.post(
                    f"/v1/audit/overrides/{where}/reviews", json=body, headers=bearer(IG_LEAD)
                )
                assert (answer.status_code, answer.json()["field"]) == (422, field), body


class TestRoleFile:
    def test_the_packaged_ig_lead_holds_the_ig_lead_role(self):
        """The demo's IG lead reviews overrides; an identity steward is listed too."""
        deployed = UserDirectory.from_file(packaged_default("consent-users.yaml"))
        assert "ig-lead" in deployed.authenticate("Bearer dev-token-ig-lead").roles
        steward = deployed.authenticate("Bearer dev-token-identity-steward")
        assert steward.roles == {"identity-steward"}

    def test_one_of_several_roles_is_enough(self):
        """require(a, b) passes a holder of b and names both roles when refusing."""
        deployed = UserDirectory.from_file(packaged_default("consent-users.yaml"))
        auditor = deployed.authenticate("Bearer dev-token-auditor")
        assert auditor.require("ig-lead", "auditor") is auditor
        with pytest.raises(ForbiddenError) as caught:
            auditor.require("ig-lead", "identity-steward")
        assert caught.value.rule == "this action needs the ig-lead or identity-steward role"
