"""The registry client against a real registry (ours) over real HTTP."""

from __future__ import annotations

import socket
import time

import pytest
from avro_samples import NAMESPACE, record, with_optional_note, with_required_count

from schemas.codec import AvroCodec
from schemas.exceptions import IncompatibleSchemaError, UnknownSchemaIdError
from schemas.registry_client import AsyncRegistryClient, RegisteredSchema, RegistryClient
from schemas.registry_errors import (
    RegistryIncompatibleSchemaError,
    RegistryInvalidSchemaError,
    RegistrySchemaIdNotFoundError,
    RegistrySchemaNotFoundError,
    RegistrySubjectNotFoundError,
    RegistryUnreachableError,
)
from schemas.samples import sample_event
from services.exceptions import JoinedUpError

pytestmark = pytest.mark.integration

SUBJECT = f"{NAMESPACE}.PupilNoted"


@pytest.fixture
def client(registry):
    with RegistryClient(registry.url) as client:
        yield client


class TestRegistryClient:
    def test_register_and_fetch_by_id(self, client):
        """`register` returns the id; `schema_by_id` returns the text."""
        schema_id = client.register(SUBJECT, record())
        assert client.register(SUBJECT, record()) == schema_id
        assert RegistryClient(client.url).schema_by_id(schema_id) == record()

    def test_schemas_by_id_are_cached(self, start_registry, schemas_topic):
        """Once fetched, a schema is served from the cache even when the registry is gone."""
        running = start_registry(schemas_topic)
        schema_id = RegistryClient(running.url).register(SUBJECT, record())
        client = RegistryClient(running.url)
        assert client.schema_by_id(schema_id) == record()
        running.stop()
        assert client.schema_by_id(schema_id) == record()

    def test_latest_lookup_and_subjects(self, client):
        """`latest`, `lookup`, `version` and `subjects` read what was registered."""
        first = client.register(SUBJECT, record())
        second = client.register(SUBJECT, with_optional_note())
        assert client.latest(SUBJECT) == RegisteredSchema(SUBJECT, 2, second, with_optional_note())
        assert client.lookup(SUBJECT, record()).schema_id == first
        assert client.version(SUBJECT, 1).schema == record()
        assert client.subjects() == [SUBJECT]

    def test_check_compatibility(self, client):
        """`check_compatibility` answers the registry's verdict."""
        client.register(SUBJECT, record())
        assert client.check_compatibility(SUBJECT, with_optional_note()) is True
        assert client.check_compatibility(SUBJECT, with_required_count()) is False
        assert client.check_compatibility(SUBJECT, with_required_count(), None) is False

    def test_unknown_id_is_an_unknown_schema_id_naming_the_url(self, client):
        """A 40403 on an id is the codec's `UnknownSchemaIdError`, naming the URL and message."""
        with pytest.raises(RegistrySchemaIdNotFoundError) as caught:
            client.schema_by_id(4242)
        assert isinstance(caught.value, UnknownSchemaIdError)
        assert caught.value.schema_id == 4242
        assert caught.value.error_code == 40403
        assert client.url in str(caught.value)
        assert "4242 not found" in str(caught.value)

    def test_refusals_are_typed(self, client):
        """409, 42201, 40401 and 40403 come back as distinct project errors."""
        client.register(SUBJECT, record())
        with pytest.raises(RegistryIncompatibleSchemaError) as caught:
            client.register(SUBJECT, with_required_count())
        assert isinstance(caught.value, IncompatibleSchemaError)
        assert caught.value.status == 409
        with pytest.raises(RegistryInvalidSchemaError):
            client.register(SUBJECT, '{"type": "nonsense"}')
        with pytest.raises(RegistrySubjectNotFoundError):
            client.latest("nobody")
        with pytest.raises(RegistrySchemaNotFoundError):
            client.lookup(SUBJECT, with_optional_note())

    def test_nothing_listening_fails_at_once(self):
        """A URL where nothing listens fails in well under a second, naming the URL."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            url = f"http://127.0.0.1:{probe.getsockname()[1]}"
        started = time.monotonic()
        with pytest.raises(RegistryUnreachableError, match=url):
            RegistryClient(url).schema_by_id(1)
        assert time.monotonic() - started < 2

    def test_silent_server_fails_within_the_timeout(self):
        """A server that accepts but never answers fails after the timeout, not later."""
        with socket.socket() as silent:
            silent.bind(("127.0.0.1", 0))
            silent.listen()
            url = f"http://127.0.0.1:{silent.getsockname()[1]}"
            started = time.monotonic()
            with pytest.raises(RegistryUnreachableError) as caught:
                RegistryClient(url, timeout_s=0.5).register(SUBJECT, record())
            assert time.monotonic() - started < 3
        assert isinstance(caught.value, JoinedUpError)

    def test_is_the_codecs_schema_source(self, client):
        """The codec encodes and decodes through the client, registering on first use."""
        codec = AvroCodec(client)
        event = sample_event("AttendanceMarked")
        data = codec.encode("AttendanceMarked", event)
        assert client.subjects() == ["uk.joinedup.education.AttendanceMarked"]
        assert AvroCodec(RegistryClient(client.url)).decode(data) == event


class TestAsyncRegistryClient:
    async def test_register_fetch_latest_and_check(self, registry):
        """The async client answers like the blocking one."""
        async with AsyncRegistryClient(registry.url) as client:
            schema_id = await client.register(SUBJECT, record())
            assert await client.register(SUBJECT, record()) == schema_id
            assert await AsyncRegistryClient(registry.url).schema_by_id(schema_id) == record()
            assert (await client.latest(SUBJECT)).schema_id == schema_id
            assert await client.check_compatibility(SUBJECT, with_optional_note()) is True

    async def test_errors_match_the_blocking_client(self, registry):
        """Unknown ids and unreachable registries raise the same errors."""
        async with AsyncRegistryClient(registry.url) as client:
            with pytest.raises(RegistrySchemaIdNotFoundError):
                await client.schema_by_id(99)
        with pytest.raises(RegistryUnreachableError):
            await AsyncRegistryClient("http://127.0.0.1:9").latest(SUBJECT)
