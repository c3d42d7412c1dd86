"""The security files under `<data dir>/security/`: layout, modes, client files, reuse."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from pydantic import SecretStr

from services.broker.exceptions import BrokerSecurityError
from services.broker.security_files import (
    ADMIN,
    BROKER,
    SecurityFiles,
    client_file,
    client_password,
    ensure_material,
    missing,
    write_client_file,
)
from services.broker.tls import BROKER_DAYS
from services.bus.security import read_client_file
from services.bus.settings import BusSettings


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def settings(tmp_path) -> BusSettings:
    return BusSettings(broker_data_dir=tmp_path / "data", broker_security="sasl_ssl")


class TestClientFile:
    def test_lives_under_the_data_dirs_security_clients(self, settings):
        """A principal's file is `<data dir>/security/clients/<principal>.properties`."""
        assert client_file(settings, "school-7") == (
            settings.data_dir / "security" / "clients" / "school-7.properties"
        )

    def test_holds_librdkafka_properties_and_is_owner_only(self, settings):
        """The file reads back as SASL_SSL, SCRAM-SHA-512, the name, password and CA; mode 0600."""
        path = write_client_file(settings, "school-7", SecretStr("pa55-word"))

        assert read_client_file(path) == {
            "security.protocol": "SASL_SSL",
            "sasl.mechanism": "SCRAM-SHA-512",
            "sasl.username": "school-7",
            "sasl.password": "pa55-word",
            "ssl.ca.location": str((settings.data_dir / "security" / "ca.pem").resolve()),
        }
        assert _mode(path) == 0o600
        assert _mode(path.parent) == 0o700

    def test_rewriting_replaces_the_password(self, settings):
        """Writing a principal's file again keeps only the new password."""
        write_client_file(settings, "school-7", "first")
        write_client_file(settings, "school-7", "second")

        assert client_password(settings, "school-7").get_secret_value() == "second"

    @pytest.mark.parametrize("principal", ["", "../admin", "a b", "-x", "x" * 65])
    def test_a_name_that_is_no_file_name_is_refused(self, settings, principal):
        """A principal name outside letters, digits, dots, underscores and hyphens is refused."""
        with pytest.raises(BrokerSecurityError, match="a principal name is 1-64 letters"):
            client_file(settings, principal)

    @pytest.mark.parametrize("password", ["", "has space", "new\nline"])
    def test_an_empty_or_spaced_password_is_refused(self, settings, password):
        """A password a properties line cannot hold is refused before anything is written."""
        with pytest.raises(BrokerSecurityError, match="non-empty and hold no whitespace"):
            write_client_file(settings, "school-7", password)
        assert not client_file(settings, "school-7").exists()


class TestEnsureMaterial:
    def test_creates_every_required_file_with_private_modes(self, settings):
        """CA, keystore and the admin and broker client files appear; keys 0600, dirs 0700."""
        files = ensure_material(settings)

        assert missing(files) == []
        assert {_mode(path) for path in (files.ca_key, files.broker_keystore)} == {0o600}
        assert _mode(files.directory) == 0o700

    def test_the_keystore_holds_key_broker_certificate_and_ca(self, settings):
        """Kafka's PEM keystore: the private key, then the broker's certificate, then the CA."""
        files = ensure_material(settings)
        text = files.broker_keystore.read_text(encoding="ascii")

        assert text.startswith("-----BEGIN PRIVATE KEY-----")
        assert text.count("-----BEGIN CERTIFICATE-----") == 2
        assert text.endswith(files.ca_cert.read_text(encoding="ascii"))

    def test_passwords_are_random_and_distinct(self, settings, tmp_path):
        """The admin and broker passwords differ, and differ between data dirs."""
        ensure_material(settings)
        other = BusSettings(broker_data_dir=tmp_path / "other")
        ensure_material(other)

        passwords = {
            client_password(where, principal).get_secret_value()
            for where in (settings, other)
            for principal in (ADMIN, BROKER)
        }
        assert len(passwords) == 4
        assert all(len(password) >= 40 for password in passwords)

    def test_a_second_call_reuses_every_file(self, settings):
        """Nothing is regenerated when the files exist."""
        files = ensure_material(settings)
        before = {path: path.read_bytes() for path in files.required()}

        ensure_material(settings)

        assert {path: path.read_bytes() for path in files.required()} == before

    def test_an_expiring_broker_certificate_is_reissued_by_the_same_ca(self, settings):
        """A broker certificate within 30 days of expiry is replaced; CA and passwords stay."""
        now = datetime.now(UTC)
        files = ensure_material(settings, now=now - timedelta(days=BROKER_DAYS - 10))
        kept = [files.ca_cert, files.ca_key, client_file(settings, ADMIN)]
        before = {path: path.read_bytes() for path in kept}
        old_keystore = files.broker_keystore.read_bytes()

        ensure_material(settings, now=now)

        assert {path: path.read_bytes() for path in kept} == before
        renewed = x509.load_pem_x509_certificate(files.broker_keystore.read_bytes())
        assert files.broker_keystore.read_bytes() != old_keystore
        assert renewed.not_valid_after_utc > now + timedelta(days=BROKER_DAYS - 1)
        renewed.verify_directly_issued_by(
            x509.load_pem_x509_certificate(files.ca_cert.read_bytes())
        )

    def test_a_lost_ca_gets_a_new_broker_certificate_too(self, settings):
        """A CA made afresh signs a fresh broker certificate, never leaving the old one."""
        files = ensure_material(settings)
        files.ca_key.unlink()

        ensure_material(settings)

        broker = x509.load_pem_x509_certificate(files.broker_keystore.read_bytes())
        broker.verify_directly_issued_by(x509.load_pem_x509_certificate(files.ca_cert.read_bytes()))


class TestLayout:
    def test_every_required_file_is_under_the_data_dir(self, settings):
        """Wiping the data dir wipes the security files with it."""
        files = SecurityFiles.of(settings)

        assert all(settings.data_dir in path.parents for path in files.required())
