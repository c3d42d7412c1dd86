"""The identity stewards' API on the real consent service: who may merge, what is refused.

The consent service runs in this process (its lifespan entered by hand) on the
real broker and PostgreSQL, with topics unique to the test; the CLI is run as
a process of its own against the service served on a loopback port.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import sys
from collections.abc import AsyncIterator

import httpx
import pytest
from merge_rig import AUDITOR, OFFICER, STEWARD
from rigs.serving import serving

from schemas.codec import AvroCodec
from schemas.schema_source import InMemorySchemaSource
from services.bus.reading import records_to_end
from services.consent.adapters.topics import ConsentTopics
from services.consent.bootstrap import ConsentOptions, build_consent_service

pytestmark = pytest.mark.integration
MERGES = "/v1/identity/merges"


def new_child_ref() -> str:
    return "cr1_" + base64.b32encode(os.urandom(20)).decode().lower()


def topics_for(unique_name) -> ConsentTopics:
    return ConsentTopics(
        agreements=unique_name("consent-agreements"),
        directives=unique_name("consent-directives"),
        audit=unique_name("audit"),
        reviews=unique_name("audit-reviews"),
        merges=unique_name("identity.merges"),
    )


@contextlib.asynccontextmanager
async def consent_service(
    settings, database_url, names, source
) -> AsyncIterator[httpx.AsyncClient]:
    app = build_consent_service(
        settings, source, ConsentOptions(topics=names, database_url=database_url)
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://c") as client,
    ):
        yield client


def body(surviving: str, absorbed: str, reason: str = "one child") -> dict[str, str]:
    return {"surviving_child_ref": surviving, "absorbed_child_ref": absorbed, "reason": reason}


class TestRoleBoundary:
    async def test_only_an_identity_steward_may_merge_unmerge_or_list(
        self, bus_settings, audit_db_url, unique_name
    ):
        """A consent officer and an auditor get 403, no token 401; the steward gets 201."""
        names, source = topics_for(unique_name), InMemorySchemaSource()
        a, b = new_child_ref(), new_child_ref()
        async with consent_service(bus_settings, audit_db_url, names, source) as http:
            for who in (OFFICER, AUDITOR):
                refused = await http.post(MERGES, json=body(b, a), headers=who)
                assert refused.status_code == 403
                assert refused.json()["rule"] == "this action needs the identity-steward role"
                assert (await http.get(MERGES, headers=who)).status_code == 403
            assert (await http.post(MERGES, json=body(b, a))).status_code == 401
            merged = await http.post(MERGES, json=body(b, a), headers=STEWARD)
            assert merged.status_code == 201, merged.text
            unmerge = f"{MERGES}/{merged.json()['merge_id']}/unmerge"
            assert (
                await http.post(unmerge, json={"reason": "x"}, headers=OFFICER)
            ).status_code == 403
        [record] = [r async for r in records_to_end(bus_settings, names.merges)]
        assert record.key == a.encode()
        assert AvroCodec(source).decode(record.value)["steward"] == "identity-steward"


class TestRefusals:
    async def test_bad_input_is_refused_naming_the_field(
        self, bus_settings, audit_db_url, unique_name
    ):
        """Same ref twice, a malformed ref, an unknown merge, an absorbed survivor: one field."""
        names, source = topics_for(unique_name), InMemorySchemaSource()
        a, b, c = new_child_ref(), new_child_ref(), new_child_ref()
        async with consent_service(bus_settings, audit_db_url, names, source) as http:

            async def refusal(method: str, path: str, **request) -> tuple[int, str]:
                answer = await http.request(method, path, headers=STEWARD, **request)
                return answer.status_code, answer.json()["field"]

            assert await refusal("POST", MERGES, json=body(a, a)) == (422, "absorbed_child_ref")
            assert await refusal("POST", MERGES, json=body("943 476 5919", a)) == (
                422,
                "surviving_child_ref",
            )
            assert await refusal("POST", MERGES, json=body(a, "cr1_NOT")) == (
                422,
                "absorbed_child_ref",
            )
            assert await refusal("POST", MERGES, json={"surviving_child_ref": a}) == (
                422,
                "absorbed_child_ref",
            )
            assert await refusal(
                "POST", f"{MERGES}/no-such-merge/unmerge", json={"reason": "x"}
            ) == (
                404,
                "merge_id",
            )
            assert await refusal("GET", MERGES, params={"child_ref": "A123456789012"}) == (
                422,
                "child_ref",
            )
            merged = await http.post(MERGES, json=body(b, a), headers=STEWARD)
            assert merged.status_code == 201
            assert await refusal("POST", MERGES, json=body(a, c)) == (409, "surviving_child_ref")
            assert await refusal("POST", MERGES, json=body(c, a)) == (409, "absorbed_child_ref")
            chained = await http.post(MERGES, json=body(c, b), headers=STEWARD)
            assert chained.status_code == 201, "a survivor may itself be merged on: a chain"
            unmerge = f"{MERGES}/{merged.json()['merge_id']}/unmerge"
            assert (
                await http.post(unmerge, json={"reason": "x"}, headers=STEWARD)
            ).status_code == 200
            assert await refusal("POST", unmerge, json={"reason": "x"}) == (409, "merge_id")
        records = [r async for r in records_to_end(bus_settings, names.merges)]
        assert len(records) == 3, "nothing refused was published"

    async def test_a_restarted_service_knows_the_merges_in_force(
        self, bus_settings, audit_db_url, unique_name
    ):
        """The ledger is rebuilt from identity.merges: a second absorb is still refused."""
        names, source = topics_for(unique_name), InMemorySchemaSource()
        a, b, c = new_child_ref(), new_child_ref(), new_child_ref()
        async with consent_service(bus_settings, audit_db_url, names, source) as http:
            assert (await http.post(MERGES, json=body(b, a), headers=STEWARD)).status_code == 201
        async with consent_service(bus_settings, audit_db_url, names, source) as http:
            again = await http.post(MERGES, json=body(c, a), headers=STEWARD)
            assert (again.status_code, again.json()["field"]) == (409, "absorbed_child_ref")
            listed = await http.get(MERGES, params={"child_ref": a}, headers=STEWARD)
            assert [(m["absorbed_child_ref"], m["status"]) for m in listed.json()] == [
                (a, "merged")
            ]


async def joinedup(url: str, token: str, *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "services",
        *args,
        env={**os.environ, "JOINEDUP_CONSENT_URL": url, "JOINEDUP_CONSENT_TOKEN": token},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


class TestCommandLine:
    async def test_merge_list_and_unmerge_from_the_command_line(
        self, bus_settings, audit_db_url, unique_name
    ):
        """`joinedup identity merge|merges|unmerge` as a steward; an officer's token is refused."""
        names = topics_for(unique_name)
        a, b = new_child_ref(), new_child_ref()
        app = build_consent_service(
            bus_settings,
            InMemorySchemaSource(),
            ConsentOptions(topics=names, database_url=audit_db_url),
        )
        steward = "dev-token-identity-steward"
        async with serving(app) as url:
            merge = (
                "identity",
                "merge",
                "--surviving",
                b,
                "--absorbed",
                a,
                "--reason",
                "one child",
            )
            code, _, err = await joinedup(url, "dev-token-consent-officer", *merge)
            assert code == 1
            assert "must be an identity steward's token (the consent service answered 403)" in err
            code, out, err = await joinedup(url, steward, *merge)
            assert code == 0, err
            merge_id = out.split()[0]
            code, out, _ = await joinedup(url, steward, "identity", "merges", "--child-ref", a)
            assert (code, out.splitlines()[-1]) == (0, "1 merge(s)")
            assert f"{a} -> {b}" in out
            code, _, err = await joinedup(
                url, steward, "identity", "unmerge", "nope", "--reason", "x"
            )
            assert (code, err.strip()) == (1, "refused: merge_id: no merge has this id (HTTP 404)")
            code, out, err = await joinedup(
                url, steward, "identity", "unmerge", merge_id, "--reason", "two children"
            )
            assert code == 0, err
            assert "unmerged by identity-steward" in out
