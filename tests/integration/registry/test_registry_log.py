"""The registry's state lives in its Kafka topic: restarts and second instances agree."""

from __future__ import annotations

import asyncio
import json
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from avro_samples import NAMESPACE, record, with_optional_note

from services.bus.kafka import build_admin

pytestmark = pytest.mark.integration

SUBJECT = f"{NAMESPACE}.PupilNoted"


def register(url, subject, schema):
    response = httpx.post(f"{url}/subjects/{subject}/versions", json={"schema": schema})
    assert response.status_code == 200, response.text
    return response.json()["id"]


def snapshot(url):
    subjects = httpx.get(f"{url}/subjects", params={"deleted": "true"}).json()
    versions = {
        subject: httpx.get(f"{url}/subjects/{subject}/versions", params={"deleted": "true"}).json()
        for subject in subjects
    }
    return {
        "subjects": subjects,
        "versions": versions,
        "live": httpx.get(f"{url}/subjects").json(),
        "config": httpx.get(f"{url}/config").json(),
    }


def eventually(check, timeout_s=10.0):
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, "the registries did not agree in time"
        time.sleep(0.05)


class TestRestart:
    def test_new_instance_on_the_same_topic_sees_the_same_state(
        self, start_registry, schemas_topic
    ):
        """Subjects, versions, ids, deletions and levels survive a restart."""
        first = start_registry(schemas_topic)
        one = register(first.url, SUBJECT, record())
        two = register(first.url, SUBJECT, with_optional_note())
        other = register(first.url, "other-value", record("Other"))
        httpx.delete(f"{first.url}/subjects/other-value")
        httpx.put(f"{first.url}/config", json={"compatibility": "FULL"})
        before = snapshot(first.url)
        first.stop()

        second = start_registry(schemas_topic)
        assert snapshot(second.url) == before
        assert httpx.get(f"{second.url}/schemas/ids/{other}").json() == {"schema": record("Other")}
        assert register(second.url, SUBJECT, record()) == one
        assert register(second.url, "third-value", with_optional_note()) == two

    def test_ids_continue_after_a_restart(self, start_registry, schemas_topic):
        """A new schema after a restart gets a fresh id, never a used one."""
        first = start_registry(schemas_topic)
        used = {register(first.url, f"s{n}-value", record(f"R{n}")) for n in range(3)}
        first.stop()
        second = start_registry(schemas_topic)
        assert register(second.url, "new-value", record("Fresh")) not in used

    def test_topic_is_compacted_with_one_partition(
        self, registry, registry_bus_settings, schemas_topic
    ):
        """The registry creates its topic compacted, with a single partition."""

        async def describe():
            admin = build_admin(registry_bus_settings)
            await admin.start()
            try:
                topics = await admin.describe_topics([schemas_topic])
                resource = ConfigResource(ConfigResourceType.TOPIC, schemas_topic)
                described = await admin.describe_configs([resource])
            finally:
                await admin.close()
            entries = described[0].to_object()["resources"][0]["config_entries"]
            return topics, {entry["config_names"]: entry["config_value"] for entry in entries}

        topics, configs = asyncio.run(describe())
        assert len(topics[0]["partitions"]) == 1
        assert configs["cleanup.policy"] == "compact"


class TestTwoInstances:
    def test_a_write_on_one_is_read_on_the_other(self, start_registry, schemas_topic):
        """Registries following the same topic converge on the same state."""
        first = start_registry(schemas_topic)
        second = start_registry(schemas_topic)
        schema_id = register(first.url, SUBJECT, record())
        eventually(lambda: httpx.get(f"{second.url}/subjects").json() == [SUBJECT])
        assert register(second.url, SUBJECT, record()) == schema_id
        assert httpx.get(f"{second.url}/schemas/ids/{schema_id}").json() == {"schema": record()}

    def test_concurrent_registrations_get_distinct_ids(self, start_registry, schemas_topic):
        """Racing registries never give two schemas one id, nor one schema two ids."""
        first = start_registry(schemas_topic)
        second = start_registry(schemas_topic)
        jobs = [
            (url, f"race-{n}-value", record(f"Race{n}"))
            for n in range(8)
            for url in (first.url, second.url)
        ]
        with ThreadPoolExecutor(max_workers=8) as pool:
            ids = list(pool.map(lambda job: register(*job), jobs))
        by_schema = {}
        for (_, _, schema), schema_id in zip(jobs, ids, strict=True):
            by_schema.setdefault(schema, set()).add(schema_id)
        assert all(len(found) == 1 for found in by_schema.values())
        assert len(set(ids)) == 8
        eventually(lambda: snapshot(first.url) == snapshot(second.url))
        for schema_id in set(ids):
            texts = {
                json.dumps(httpx.get(f"{url}/schemas/ids/{schema_id}").json())
                for url in (first.url, second.url)
            }
            assert len(texts) == 1
