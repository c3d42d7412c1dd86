"""Receiving on a governed cluster: each way in works with exactly the ACLs `acl apply` gives.

The cluster is this module's own secured broker after `acl provision`,
`topics apply` and `acl apply` (never the shared broker: ACLs there would lock
other tests out). The agency's subscriber signs in as the agency, the view
feed as `joinedup.view-feed`; records are written to the view as the admin.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from receiving_rig import disclosures, token_of
from rigs.agencies import write_agencies
from rigs.own_broker import OwnCluster, secured_broker
from rigs.serving import serving

from schemas.codec import AvroCodec
from schemas.schema_source import InMemorySchemaSource
from services.bus import topics
from services.bus.kafka import build_producer
from services.bus.reading import records_to_end
from services.governance import handlers
from services.sdk.exceptions import SubscribeError
from services.sdk.subscriber import Subscriber
from services.view_feed.bootstrap import build_view_feed
from services.view_feed.domain.readers import token_digest
from services.view_feed.settings import ViewFeedSettings

pytestmark = pytest.mark.integration

SCHOOL, POLICE = "school-a", "police-b"
FEED = "joinedup.view-feed"


@pytest.fixture(scope="module")
def governed(tmp_path_factory) -> Iterator[OwnCluster]:
    """A fresh secured broker with the principals, topics and ACLs of two agencies."""
    root = tmp_path_factory.mktemp("governed-receiving")
    agencies = write_agencies(root / "agencies.yaml", {SCHOOL: "school", POLICE: "police"})
    with secured_broker(root / "data") as cluster:
        admin = cluster.settings()
        handlers.provision(admin, agencies)
        handlers.apply_topics(admin, agencies)
        handlers.apply_acls(admin, agencies)
        yield cluster


@pytest.fixture
def source() -> InMemorySchemaSource:
    return InMemorySchemaSource()


async def write_view(cluster: OwnCluster, codec: AvroCodec, records, raw: bytes | None = None):
    """Write DisclosedEvents (and one raw value) to their views as the admin."""
    producer = build_producer(cluster.settings())
    await producer.start()
    try:
        for record in records:
            value = codec.encode("DisclosedEvent", record)
            topic = topics.view(record["recipient"])
            await producer.send_and_wait(topic, value, key=record["child_ref"].encode())
        if raw is not None:
            await producer.send_and_wait(topics.view(SCHOOL), raw, key=b"cr1_raw")
    finally:
        await producer.stop()


class TestAgencySubscriber:
    async def test_it_reads_its_view_in_its_group_and_writes_its_dead_letters(
        self, governed, source, event_ids
    ):
        """As school-a, group school-a-case-system: disclosures arrive; a bad record goes to
        deadletter.view.school-a, which the agency's principal may write."""
        records = disclosures(SCHOOL, 4)
        await write_view(governed, AvroCodec(source), records, raw=b"not avro")
        agency = governed.settings(SCHOOL)
        got = []

        async def receive(disclosure) -> None:
            got.append(disclosure.event_id)

        async with Subscriber.connect(agency, SCHOOL, "case-system", source) as subscriber:
            receiving = asyncio.ensure_future(subscriber.run(receive))
            # The first group of a fresh broker waits for __consumer_offsets to be made.
            async with asyncio.timeout(180):
                while len(got) < len(records) or not subscriber.dead_lettered:
                    assert not receiving.done(), receiving.exception()
                    await asyncio.sleep(0.1)
            receiving.cancel()
        assert sorted(got) == sorted(event_ids(records))
        letters = [
            r async for r in records_to_end(governed.settings(), f"deadletter.view.{SCHOOL}")
        ]
        assert [letter.value for letter in letters] == [b"not avro"]


class TestViewFeedPrincipal:
    async def test_the_feed_reads_an_agencys_view_as_its_own_principal(
        self, governed, source, tmp_path, event_ids
    ):
        """`joinedup.view-feed` may read view.*: school-a's page comes back whole."""
        records = disclosures(POLICE, 3)
        await write_view(governed, AvroCodec(source), records)
        readers = tmp_path / "view-readers.yaml"
        readers.write_text(
            f"readers:\n  - {{agency: {POLICE}, token_sha256: {token_digest(token_of(POLICE))}}}\n",
            encoding="utf-8",
        )
        options = ViewFeedSettings(readers_file=readers)
        app = build_view_feed(governed.settings(FEED), source, options)
        headers = {"Authorization": f"Bearer {token_of(POLICE)}"}
        async with serving(app) as url, httpx.AsyncClient(base_url=url, timeout=60) as client:
            response = await client.get(f"/v1/views/{POLICE}", headers=headers)
        assert response.status_code == 200, response.text
        got = [d["event_id"] for d in response.json()["disclosures"]]
        assert sorted(got) == sorted(event_ids(records))


class TestRefused:
    async def test_an_agency_cannot_subscribe_to_another_agencys_view(self, governed, source):
        """As school-a, police-b's view in a group police-b-...: Kafka refuses it."""
        await write_view(governed, AvroCodec(source), disclosures(POLICE, 1))
        snooping = Subscriber.connect(governed.settings(SCHOOL), POLICE, "snoop", source)
        with pytest.raises(SubscribeError, match="TopicAuthorizationFailed"):
            async with asyncio.timeout(60), snooping as subscriber:
                await anext(aiter(subscriber))
