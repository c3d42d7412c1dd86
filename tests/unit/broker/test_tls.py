"""The local CA and the broker's certificate: names, signatures, validity, renewal."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from services.broker.tls import (
    CLOCK_SKEW,
    KeyPair,
    create_authority,
    issue_broker_certificate,
    needs_renewal,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def authority() -> KeyPair:
    return create_authority(NOW, days=3650)


@pytest.fixture(scope="module")
def broker(authority) -> KeyPair:
    return issue_broker_certificate(authority, NOW, days=825)


def _certificate(pair: KeyPair) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pair.cert_pem)


class TestAuthority:
    def test_is_a_self_signed_ca_that_signs_only_end_entities(self, authority):
        """The CA signs itself, is a CA, and may not sign further CAs (path length 0)."""
        certificate = _certificate(authority)
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints)

        certificate.verify_directly_issued_by(certificate)
        assert constraints.value.ca
        assert constraints.value.path_length == 0
        assert constraints.critical

    def test_is_valid_for_the_days_asked_from_just_before_now(self, authority):
        """Valid from five minutes before `now` to `now` plus the days asked."""
        certificate = _certificate(authority)

        assert certificate.not_valid_before_utc == NOW - CLOCK_SKEW
        assert certificate.not_valid_after_utc == NOW + timedelta(days=3650)

    def test_the_key_is_unencrypted_pkcs8(self, authority):
        """The private key is PEM PKCS#8 without a password, the form Kafka's PEM store reads."""
        assert authority.key_pem.startswith(b"-----BEGIN PRIVATE KEY-----")
        serialization.load_pem_private_key(authority.key_pem, password=None)

    def test_the_key_is_kept_out_of_repr(self, authority):
        """Printing a key pair shows no private key."""
        assert "PRIVATE" not in repr(authority)


class TestBrokerCertificate:
    def test_names_the_loopback_address_and_localhost(self, broker):
        """The SANs are IP 127.0.0.1 and DNS localhost, the names clients connect to."""
        names = (
            _certificate(broker).extensions.get_extension_for_class(x509.SubjectAlternativeName)
        ).value

        assert names.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1")]
        assert names.get_values_for_type(x509.DNSName) == ["localhost"]

    def test_is_signed_by_the_ca(self, authority, broker):
        """The broker's certificate verifies against the CA's certificate."""
        _certificate(broker).verify_directly_issued_by(_certificate(authority))

    def test_is_not_signed_by_another_ca(self, broker):
        """Another CA's certificate does not verify it."""
        other = _certificate(create_authority(NOW))

        with pytest.raises((InvalidSignature, ValueError)):
            _certificate(broker).verify_directly_issued_by(other)

    def test_subject_is_the_broker_principal(self, broker):
        """CN=broker: the controller listener maps it to User:broker."""
        subject = _certificate(broker).subject.get_attributes_for_oid(NameOID.COMMON_NAME)

        assert [attribute.value for attribute in subject] == ["broker"]

    def test_serves_and_authenticates_tls(self, broker):
        """Extended key usage allows server and client TLS (the controller wants both)."""
        usage = _certificate(broker).extensions.get_extension_for_class(x509.ExtendedKeyUsage)

        assert set(usage.value) == {
            ExtendedKeyUsageOID.SERVER_AUTH,
            ExtendedKeyUsageOID.CLIENT_AUTH,
        }

    def test_is_not_a_ca(self, broker):
        """The broker's certificate cannot sign certificates."""
        constraints = _certificate(broker).extensions.get_extension_for_class(x509.BasicConstraints)

        assert not constraints.value.ca

    def test_is_valid_for_the_days_asked(self, broker):
        """Valid from just before `now` for 825 days."""
        certificate = _certificate(broker)

        assert certificate.not_valid_before_utc == NOW - CLOCK_SKEW
        assert certificate.not_valid_after_utc == NOW + timedelta(days=825)

    def test_the_key_matches_the_certificate(self, broker):
        """The private key is the one the certificate names."""
        key = serialization.load_pem_private_key(broker.key_pem, password=None)

        assert key.public_key() == _certificate(broker).public_key()


class TestRenewal:
    def test_a_fresh_certificate_needs_no_renewal(self, broker):
        """825 days ahead is far from the 30-day renewal window."""
        assert not needs_renewal(broker.cert_pem, NOW)

    def test_a_certificate_expiring_within_30_days_needs_renewal(self, broker):
        """29 days before expiry it is renewed."""
        assert needs_renewal(broker.cert_pem, NOW + timedelta(days=825 - 29))

    def test_the_first_certificate_of_a_keystore_is_read(self, authority, broker):
        """A keystore file (key, broker certificate, CA) is judged by the broker's certificate."""
        keystore = broker.key_pem + broker.cert_pem + authority.cert_pem

        assert needs_renewal(keystore, NOW + timedelta(days=800))
