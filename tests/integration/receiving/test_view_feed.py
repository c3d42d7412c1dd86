"""The HTTP view feed on the real broker: a whole view by cursor across restarts, tokens, waits."""

from __future__ import annotations

import asyncio
import contextlib
import time

import httpx
import pytest
from receiving_rig import disclosures, token_of
from rigs.serving import serving

from schemas.registry_client import RegistryClient
from services.view_feed.bootstrap import build_view_feed
from services.view_feed.settings import ViewFeedSettings

pytestmark = pytest.mark.integration


@contextlib.asynccontextmanager
async def feed_client(bus_settings, registry, readers_file):
    """A client of a freshly served view feed over the test's registry and readers."""
    options = ViewFeedSettings(readers_file=readers_file, max_wait_s=30)
    app = build_view_feed(bus_settings, RegistryClient(registry.url), options)
    async with serving(app) as url, httpx.AsyncClient(base_url=url, timeout=60) as client:
        yield client


def bearer(agency: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_of(agency)}"}


async def page(client, agency, cursor=None, **params):
    """One page of `agency`'s view; fails on any status but 200."""
    query = {k: v for k, v in {"cursor": cursor, **params}.items() if v is not None}
    response = await client.get(f"/v1/views/{agency}", params=query, headers=bearer(agency))
    assert response.status_code == 200, response.text
    return response.json()


async def read_to_end(client, agency, cursor, limit, pages=None):
    """Page until a page comes back empty; return the event ids and the last cursor."""
    seen: list[str] = []
    taken = 0
    while pages is None or taken < pages:
        body = await page(client, agency, cursor, limit=limit)
        taken += 1
        cursor = body["next_cursor"]
        seen += [d["event_id"] for d in body["disclosures"]]
        assert body["undecodable"] == []
        if not body["disclosures"]:
            break
    return seen, cursor


class TestReadingByCursor:
    async def test_the_whole_view_with_no_gap_and_no_repeat_across_a_restart(
        self, bus_settings, registry, readers_file, agencies, writer, event_ids
    ):
        """Committed records come once each, in pages, across a restart of the serving app;
        records of an aborted transaction never come."""
        agency = agencies[0]
        first = disclosures(agency, 230)
        aborted = disclosures(agency, 40, start=1000)
        later = disclosures(agency, 70, start=2000)
        await writer.write(first[:120])
        await writer.write(aborted, commit=False)
        await writer.write(first[120:])

        async with feed_client(bus_settings, registry, readers_file) as client:
            before, cursor = await read_to_end(client, agency, None, 37, pages=3)
        assert len(before) == 3 * 37
        await writer.write(later)
        async with feed_client(bus_settings, registry, readers_file) as client:
            after, cursor = await read_to_end(client, agency, cursor, 50)
            again, _ = await read_to_end(client, agency, cursor, 50)

        seen = before + after
        assert len(seen) == len(set(seen))
        assert set(seen) == set(event_ids(first + later))
        assert not set(seen) & set(event_ids(aborted))
        assert again == []

    async def test_a_page_carries_the_disclosure_as_the_sdk_shapes_it(
        self, bus_settings, registry, readers_file, agencies, writer
    ):
        """Agreement, legal basis, purpose, publisher and the parsed fields are in each record."""
        agency = agencies[0]
        await writer.write(disclosures(agency, 1))
        async with feed_client(bus_settings, registry, readers_file) as client:
            body = await page(client, agency)
        [disclosure] = body["disclosures"]
        assert disclosure["fields"] == {"session": "AM", "n": 0}
        assert disclosure["agreement_id"] == "isa-operation-encompass"
        assert (disclosure["legal_basis"], disclosure["purpose"]) == (
            "uk-gdpr-6-1-e",
            "safeguarding",
        )
        assert disclosure["publisher"] == "police-west"
        assert disclosure["recipient"] == agency


class TestWhoMayRead:
    async def test_tokens_read_their_own_view_only(
        self, bus_settings, registry, readers_file, agencies
    ):
        """Another agency's token gets 403, no token 401, a wrong token 401."""
        own, other = agencies
        async with feed_client(bus_settings, registry, readers_file) as client:
            foreign = await client.get(f"/v1/views/{own}", headers=bearer(other))
            anonymous = await client.get(f"/v1/views/{own}")
            wrong = await client.get(
                f"/v1/views/{own}", headers={"Authorization": "Bearer not-a-token"}
            )
        assert foreign.status_code == 403
        assert foreign.json()["error"].startswith("agency:")
        assert anonymous.status_code == 401
        assert anonymous.headers["WWW-Authenticate"] == "Bearer"
        assert wrong.status_code == 401

    async def test_bad_parameters_are_refused_naming_the_field(
        self, bus_settings, registry, readers_file, agencies
    ):
        """A forged cursor, another view's cursor, a limit of 0 and a long wait: 422 each."""
        own, other = agencies
        async with feed_client(bus_settings, registry, readers_file) as client:
            others = (await page(client, other))["next_cursor"]
            answers = {
                "forged": await client.get(
                    f"/v1/views/{own}", params={"cursor": "%%%"}, headers=bearer(own)
                ),
                "another view's": await client.get(
                    f"/v1/views/{own}", params={"cursor": others}, headers=bearer(own)
                ),
                "limit": await client.get(
                    f"/v1/views/{own}", params={"limit": 0}, headers=bearer(own)
                ),
                "wait": await client.get(
                    f"/v1/views/{own}", params={"wait": 31}, headers=bearer(own)
                ),
            }
        assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(answers, 422)
        fields = {name: r.json()["problems"][0]["field"] for name, r in answers.items()}
        assert fields == {
            "forged": "cursor",
            "another view's": "cursor",
            "limit": "limit",
            "wait": "wait",
        }


class TestLongPoll:
    async def test_a_waiting_request_answers_as_soon_as_a_record_arrives(
        self, bus_settings, registry, readers_file, agencies, writer, event_ids
    ):
        """At the end of the view a request waits; a record written 1 s later comes back at once."""
        agency = agencies[0]
        async with feed_client(bus_settings, registry, readers_file) as client:
            cursor = (await page(client, agency))["next_cursor"]
            waiting = asyncio.ensure_future(page(client, agency, cursor, wait=25))
            await asyncio.sleep(1.0)
            assert not waiting.done()
            record = disclosures(agency, 1)
            written = time.monotonic()
            await writer.write(record)
            body = await asyncio.wait_for(waiting, 25)
            answered = time.monotonic()
        assert [d["event_id"] for d in body["disclosures"]] == event_ids(record)
        assert answered - written < 5.0

    async def test_a_wait_with_nothing_new_ends_empty_with_the_same_position(
        self, bus_settings, registry, readers_file, agencies, writer
    ):
        """Nothing arrives within `wait`: an empty page after about that long, cursor unchanged."""
        agency = agencies[0]
        await writer.write(disclosures(agency, 3))
        async with feed_client(bus_settings, registry, readers_file) as client:
            cursor = (await page(client, agency))["next_cursor"]
            started = time.monotonic()
            body = await page(client, agency, cursor, wait=1.5)
            took = time.monotonic() - started
        assert body["disclosures"] == []
        assert body["next_cursor"] == cursor
        assert 1.4 <= took < 6.0
