"""The local broker secured by default: SASL_SSL with SCRAM, ACLs, a mutual-TLS controller."""

from __future__ import annotations

import socket
import ssl
import stat
import struct
import uuid
from datetime import UTC, datetime

import pytest
from confluent_kafka import KafkaError, KafkaException, Producer
from confluent_kafka.admin import (
    AdminClient,
    NewTopic,
    ScramCredentialInfo,
    ScramMechanism,
    UserScramCredentialUpsertion,
)

from services.broker.security_files import (
    ADMIN,
    BROKER,
    SecurityFiles,
    client_file,
    new_password,
    write_client_file,
)
from services.broker.tls import create_authority
from services.bus.security import read_client_file

pytestmark = pytest.mark.integration

API_VERSIONS = 18


def _topic(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _create_topic(admin: AdminClient, name: str) -> None:
    for future in admin.create_topics([NewTopic(name, 1, 1)]).values():
        future.result(timeout=15)


def _api_versions(port: int, context: ssl.SSLContext) -> int:
    """Send ApiVersions v0 over TLS and return the correlation id of the answer."""
    client_id = b"broker-security-test"
    request = struct.pack(">hhih", API_VERSIONS, 0, 7, len(client_id)) + client_id
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5.0) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        tls.sendall(struct.pack(">i", len(request)) + request)
        _size, correlation = struct.unpack(">ii", tls.recv(8))
    return correlation


class TestAdminPrincipal:
    def test_the_admin_client_file_connects_and_creates_a_topic(self, secured):
        """The admin's client file alone reaches the broker and may create topics."""
        admin = AdminClient(secured.options(**secured.admin_options))
        name = _topic("secured-admin")

        _create_topic(admin, name)

        assert name in admin.list_topics(timeout=10).topics

    def test_the_client_file_is_librdkafka_properties(self, secured):
        """The admin's file holds the five librdkafka properties, with an absolute CA path."""
        options = secured.admin_options

        assert options.keys() == {
            "security.protocol",
            "sasl.mechanism",
            "sasl.username",
            "sasl.password",
            "ssl.ca.location",
        }
        assert options["security.protocol"] == "SASL_SSL"
        assert options["sasl.mechanism"] == "SCRAM-SHA-512"
        assert options["sasl.username"] == ADMIN
        assert options["ssl.ca.location"] == str(SecurityFiles.of(secured.settings).ca_cert)
        assert SecurityFiles.of(secured.settings).ca_cert.is_absolute()

    def test_status_answers_over_the_secured_listener(self, secured):
        """`status` probes the SASL_SSL listener as admin and reports the broker running."""
        report = secured.broker.status()

        assert report.running, report.message


class TestRefusedClients:
    def test_an_unauthenticated_plaintext_client_gets_no_metadata(self, secured):
        """A PLAINTEXT client without credentials gets no metadata within 2 seconds."""
        errors = secured.metadata_errors(secured.options())

        assert KafkaError._ALL_BROKERS_DOWN in {error.code() for error in errors}

    def test_a_wrong_password_is_an_authentication_error(self, secured):
        """The admin name with a wrong password fails SCRAM authentication."""
        options = {**secured.admin_options, "sasl.password": "not-the-password"}

        errors = secured.metadata_errors(secured.options(**options))

        assert KafkaError._AUTHENTICATION in {error.code() for error in errors}
        assert "SASL authentication error" in errors[-1].str()

    def test_a_client_that_does_not_name_the_ca_is_refused(self, secured):
        """Without ssl.ca.location the system's CAs do not vouch for the broker: TLS fails."""
        options = dict(secured.admin_options)
        del options["ssl.ca.location"]

        errors = secured.metadata_errors(secured.options(**options))

        assert KafkaError._SSL in {error.code() for error in errors}

    def test_a_client_trusting_another_ca_is_refused(self, secured, tmp_path):
        """A client whose ssl.ca.location is another CA fails certificate verification."""
        other = tmp_path / "other-ca.pem"
        other.write_bytes(create_authority(datetime.now(UTC)).cert_pem)
        options = {**secured.admin_options, "ssl.ca.location": str(other)}

        errors = secured.metadata_errors(secured.options(**options))

        assert KafkaError._SSL in {error.code() for error in errors}
        assert "certificate verify failed" in errors[-1].str()


class TestController:
    def test_tls_without_the_broker_certificate_is_refused(self, secured):
        """A TLS client trusting the CA but showing no certificate is turned away."""
        files = SecurityFiles.of(secured.settings)
        context = ssl.create_default_context(cafile=files.ca_cert)

        with pytest.raises((ssl.SSLError, ConnectionError, struct.error)):
            _api_versions(secured.settings.controller_port, context)

    def test_the_broker_certificate_is_answered(self, secured):
        """The same request with the broker's certificate gets the controller's answer."""
        files = SecurityFiles.of(secured.settings)
        context = ssl.create_default_context(cafile=files.ca_cert)
        context.load_cert_chain(files.broker_keystore)

        assert _api_versions(secured.settings.controller_port, context) == 7


class TestAuthorizer:
    def test_producing_to_a_missing_topic_fails_even_for_admin(self, secured):
        """No auto-create: the super user's record to an unknown topic is UNKNOWN_TOPIC_OR_PART."""
        name = _topic("secured-missing")
        producer = Producer(
            secured.options(
                **secured.admin_options,
                **{"message.timeout.ms": 5000, "topic.metadata.propagation.max.ms": 1000},
            )
        )
        outcomes: list[KafkaError | None] = []

        producer.produce(name, b"x", on_delivery=lambda error, _message: outcomes.append(error))
        producer.flush(10)

        assert [error.code() for error in outcomes if error] == [KafkaError.UNKNOWN_TOPIC_OR_PART]
        admin = AdminClient(secured.options(**secured.admin_options))
        assert name not in admin.list_topics(timeout=10).topics

    def test_a_principal_without_acls_may_not_create_topics(self, secured):
        """A SCRAM user provisioned through the admin API authenticates, but no ACL: refused."""
        admin = AdminClient(secured.options(**secured.admin_options))
        principal, password = f"reader-{uuid.uuid4().hex[:8]}", new_password()
        upsert = UserScramCredentialUpsertion(
            principal,
            ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192),
            password.get_secret_value().encode(),
        )
        for future in admin.alter_user_scram_credentials([upsert]).values():
            future.result(timeout=15)
        reader = AdminClient(
            secured.options(
                **read_client_file(write_client_file(secured.settings, principal, password))
            )
        )

        with pytest.raises(KafkaException) as refused:
            _create_topic(reader, _topic("secured-denied"))

        assert refused.value.args[0].code() in {
            KafkaError.TOPIC_AUTHORIZATION_FAILED,
            KafkaError.CLUSTER_AUTHORIZATION_FAILED,
        }

    def test_a_transaction_commits_through_the_inter_broker_listener(self, secured):
        """Transaction markers travel broker-to-broker as `broker` over SCRAM: commit succeeds."""
        name = _topic("secured-txn")
        _create_topic(AdminClient(secured.options(**secured.admin_options)), name)
        producer = Producer(
            secured.options(**secured.admin_options, **{"transactional.id": _topic("txn")})
        )

        producer.init_transactions(30)
        producer.begin_transaction()
        producer.produce(name, b"committed")
        producer.commit_transaction(30)


class TestFiles:
    def test_private_keys_and_client_files_are_owner_only(self, secured):
        """Keys, client files and server.properties are 0600; the security dirs are 0700."""
        files = SecurityFiles.of(secured.settings)
        private = [
            files.ca_key,
            files.broker_keystore,
            client_file(secured.settings, ADMIN),
            client_file(secured.settings, BROKER),
            secured.broker.properties,
        ]

        assert {path.name: stat.S_IMODE(path.stat().st_mode) for path in private} == {
            path.name: 0o600 for path in private
        }
        assert stat.S_IMODE(files.directory.stat().st_mode) == 0o700
        assert stat.S_IMODE(files.clients.stat().st_mode) == 0o700

    def test_no_password_reaches_the_broker_log(self, secured):
        """Neither SCRAM password appears in the broker's log."""
        log = secured.broker.log_file.read_text(encoding="utf-8", errors="replace")

        for principal in (ADMIN, BROKER):
            password = read_client_file(client_file(secured.settings, principal))["sasl.password"]
            assert password not in log


class TestRestart:
    def test_a_restart_reuses_the_security_files(self, secured):
        """Stop and start again: same CA, keystore and passwords, and the admin still gets in."""
        files = SecurityFiles.of(secured.settings)
        before = {path: path.read_bytes() for path in files.required()}

        secured.broker.stop()
        started, _ = secured.broker.start()

        assert started
        assert {path: path.read_bytes() for path in files.required()} == before
        admin = AdminClient(secured.options(**secured.admin_options))
        assert len(admin.list_topics(timeout=10).brokers) == 1
