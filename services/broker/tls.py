"""The local broker's certificate authority and its one certificate, made with `cryptography`.

The broker's certificate serves both of its listeners: clients check it on the
SASL_SSL listener (SANs IP 127.0.0.1 and DNS localhost, or the host names a
deployment gives), and the controller listener asks for it back from the broker
(mutual TLS), whose subject `CN=broker` the properties map to the principal
`User:broker`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

AUTHORITY_NAME = "Joined-up local broker CA"
BROKER_NAME = "broker"
BROKER_HOST = "localhost"
BROKER_IP = ipaddress.IPv4Address("127.0.0.1")
BROKER_NAMES = (str(BROKER_IP), BROKER_HOST)  # the local broker's SANs
AUTHORITY_DAYS = 3650
BROKER_DAYS = 825
RENEW_DAYS = 30
CLOCK_SKEW = timedelta(minutes=5)  # valid from a little before now: clocks drift


@dataclass(frozen=True)
class KeyPair:
    """A private key (PKCS#8, unencrypted PEM) and its certificate (PEM)."""

    key_pem: bytes = field(repr=False)
    cert_pem: bytes


def _new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def create_authority(now: datetime, days: int = AUTHORITY_DAYS) -> KeyPair:
    """A self-signed CA that may sign end-entity certificates only, valid `days` from `now`."""
    key = _new_key()
    subject_key = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(AUTHORITY_NAME))
        .issuer_name(_name(AUTHORITY_NAME))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            _key_usage(authority=True),
            critical=True,
        )
        .add_extension(subject_key, critical=False)
        .sign(key, hashes.SHA256())
    )
    return KeyPair(_key_pem(key), certificate.public_bytes(serialization.Encoding.PEM))


def _key_usage(*, authority: bool) -> x509.KeyUsage:
    """Signing for both; certificates and CRLs for the CA, ECDH key agreement for the broker."""
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=not authority,
        key_cert_sign=authority,
        crl_sign=authority,
        encipher_only=False,
        decipher_only=False,
    )


def subject_names(hosts: Sequence[str]) -> x509.SubjectAlternativeName:
    """The SANs of `hosts`: an IP address for each address, a DNS name for each other name."""
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return x509.SubjectAlternativeName(names)


def issue_broker_certificate(
    authority: KeyPair,
    now: datetime,
    days: int = BROKER_DAYS,
    hosts: Sequence[str] = BROKER_NAMES,
) -> KeyPair:
    """The broker's key and certificate, signed by `authority`, for server and client TLS.

    `hosts` are the names clients reach the broker by (its SANs); by default the local
    broker's loopback address and `localhost`.
    """
    authority_key = serialization.load_pem_private_key(authority.key_pem, password=None)
    if not isinstance(authority_key, ec.EllipticCurvePrivateKey):
        msg = "the local CA key is not the elliptic-curve key this module creates"
        raise TypeError(msg)
    authority_cert = x509.load_pem_x509_certificate(authority.cert_pem)
    key = _new_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(BROKER_NAME))
        .issuer_name(authority_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(now + timedelta(days=days))
        .add_extension(subject_names(hosts), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            _key_usage(authority=False),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(authority_key.public_key()),
            critical=False,
        )
        .sign(authority_key, hashes.SHA256())
    )
    return KeyPair(_key_pem(key), certificate.public_bytes(serialization.Encoding.PEM))


def needs_renewal(cert_pem: bytes, now: datetime, within_days: int = RENEW_DAYS) -> bool:
    """True when the first certificate in `cert_pem` expires within `within_days` of `now`."""
    certificate = x509.load_pem_x509_certificate(cert_pem)
    return certificate.not_valid_after_utc - now < timedelta(days=within_days)
