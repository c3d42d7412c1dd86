from consent_service_fakes import (
    AUDITOR,
    CHILD,
    OFFICER,
    agreement_body,
    bearer,
    client,
    directive_body,
    service,
)


class TestAuthorisation:
    async def test_no_token_is_401_with_a_bearer_challenge(self):
        """Every API route needs a bearer token; the answer names the header and the rule."""
        async with client(service()) as http:
            answer = await http.get("/v1/agreements")
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"] == "Bearer"
        assert answer.json()["field"] == "Authorization"

    async def test_an_auditor_may_not_write_agreements_or_dry_run(self):
        """Writes and dry runs need the consent-officer role."""
        async with client(service()) as http:
            created = await http.post(
                "/v1/agreements", json=agreement_body(), headers=bearer(AUDITOR)
            )
            tried = await http.post(
                "/v1/dry-run",
                headers=bearer(AUDITOR),
                json={"event_type": "AttendanceMarked", "provider": "school-100001"},
            )
        assert (created.status_code, tried.status_code) == (403, 403)
        assert created.json()["rule"] == "this action needs the consent-officer role"

    async def test_a_consent_officer_may_not_read_the_audit(self):
        """Audit search and verification need the auditor role."""
        async with client(service()) as http:
            search = await http.get(f"/v1/audit?child_ref={CHILD}", headers=bearer(OFFICER))
            verify = await http.get("/v1/audit/verify", headers=bearer(OFFICER))
        assert (search.status_code, verify.status_code) == (403, 403)


class TestAgreementRoutes:
    async def test_create_version_retire_and_list(self):
        """POST makes v1, PUT v2, retire v3; the list shows the newest, retired."""
        async with client(service()) as http:
            made = await http.post("/v1/agreements", json=agreement_body(), headers=bearer(OFFICER))
            body = {k: v for k, v in agreement_body(title="Renamed").items() if k != "id"}
            put = await http.put(
                "/v1/agreements/isa-attendance", json=body, headers=bearer(OFFICER)
            )
            retired = await http.post(
                "/v1/agreements/isa-attendance/retire", headers=bearer(OFFICER)
            )
            listed = await http.get("/v1/agreements", headers=bearer(AUDITOR))
            versions = await http.get(
                "/v1/agreements/isa-attendance/versions", headers=bearer(OFFICER)
            )
        assert (made.status_code, put.status_code, retired.status_code) == (201, 200, 200)
        assert [(a["version"], a["status"]) for a in listed.json()] == [(3, "retired")]
        assert [a["title"] for a in versions.json()][1:] == ["Renamed", "Renamed"]

    async def test_validation_errors_name_the_field_and_the_rule(self):
        """A bad legal basis is a 422 naming legal_basis and why; the input is not echoed."""
        async with client(service()) as http:
            answer = await http.post(
                "/v1/agreements",
                headers=bearer(OFFICER),
                json=agreement_body(legal_basis="because-i-said-so"),
            )
        error = answer.json()
        assert answer.status_code == 422
        assert error["field"] == "legal_basis"
        assert "unknown legal basis" in error["rule"]
        assert set(error) >= {"error", "field", "rule"}

    async def test_model_rules_are_reported_too(self):
        """valid_to before valid_from is refused with the rule in words."""
        async with client(service()) as http:
            answer = await http.post(
                "/v1/agreements",
                headers=bearer(OFFICER),
                json=agreement_body(valid_to="2025-01-01T00:00:00Z"),
            )
        assert answer.status_code == 422
        assert "valid_to must be after valid_from" in answer.json()["rule"]

    async def test_unknown_agreement_is_404(self):
        """Reading an agreement that does not exist is a 404 naming the id."""
        async with client(service()) as http:
            answer = await http.get("/v1/agreements/isa-none", headers=bearer(OFFICER))
        assert (answer.status_code, answer.json()["field"]) == (404, "agreement_id")


class TestDirectiveRoutes:
    async def test_record_list_and_fhir_round_trip(self):
        """A directive exported as FHIR R5 and R4 imports back the same, its time kept as stated."""
        consent = service()
        async with client(consent) as http:
            made = await http.post(
                f"/v1/children/{CHILD}/directives",
                headers=bearer(OFFICER),
                json=directive_body(id="dir-1"),
            )
            listed = await http.get(f"/v1/children/{CHILD}/directives", headers=bearer(OFFICER))
            for version in ("R5", "R4"):
                bundle = await http.get(
                    f"/v1/children/{CHILD}/directives/fhir?version={version}",
                    headers=bearer(OFFICER),
                )
                assert bundle.json()["entry"][0]["resource"]["resourceType"] == "Consent"
                imported = await http.post(
                    f"/v1/children/{CHILD}/directives/fhir?version={version}",
                    headers=bearer(OFFICER),
                    json=bundle.json(),
                )
                assert imported.status_code == 201
                original = made.json()["directive"]
                stated = {**original, "stated_at": original["recorded_at"]}
                assert imported.json()[0]["directive"] == stated
        assert made.status_code == 201
        assert [d["directive"]["id"] for d in listed.json()] == ["dir-1"]
        assert consent.state.directive(CHILD, "dir-1").version == 3

    async def test_a_bad_fhir_resource_names_the_element(self):
        """An unsupported Consent.status is refused naming the element."""
        async with client(service()) as http:
            answer = await http.post(
                f"/v1/children/{CHILD}/directives/fhir",
                headers=bearer(OFFICER),
                json={"resourceType": "Patient"},
            )
        assert (answer.status_code, answer.json()["field"]) == (422, "resourceType")


class TestOversightRoutes:
    async def test_an_unanswering_audit_database_is_503_with_retry_after(self):
        """An unanswering database: search is a 503 naming it, /readyz too; /healthz stays 200."""
        async with client(service()) as http:
            found = await http.get(f"/v1/audit?child_ref={CHILD}", headers=bearer(AUDITOR))
            ready = await http.get("/readyz")
            alive = await http.get("/healthz")
        assert (found.status_code, found.json()["field"]) == (503, "database")
        assert found.headers["retry-after"] == "5"
        assert (ready.status_code, ready.json()["checks"]["database"]) == (
            503,
            "unreachable (ConnectionError)",
        )
        assert (alive.status_code, alive.json()) == (200, {"status": "ok"})

    async def test_audit_search_needs_a_child_or_a_recipient(self):
        """A search with neither is refused naming child_ref."""
        async with client(service()) as http:
            answer = await http.get("/v1/audit", headers=bearer(AUDITOR))
        assert (answer.status_code, answer.json()["field"]) == (422, "child_ref")

    async def test_the_page_and_its_assets_are_served_without_external_sources(self):
        """/ serves the page, /static its script and style, under a self-only CSP."""
        async with client(service()) as http:
            page = await http.get("/")
            script = await http.get("/static/app.js")
        assert "Joined-up consent service" in page.text
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assert "http" not in page.text.replace("http-equiv", "")
        assert script.headers["content-type"].startswith("text/javascript")
