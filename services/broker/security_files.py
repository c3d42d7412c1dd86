"""The local broker's security files under `<data dir>/security/`.

    security/                 0700
      ca.pem                  the local CA's certificate, which clients trust
      ca.key                  0600, the CA's private key (signs the broker's certificate)
      broker-keystore.pem     0600, the broker's key, certificate and CA (ssl.keystore.type=PEM)
      clients/                0700
        <principal>.properties  0600, a client's settings in librdkafka's dialect (kcat -F)

They live in the data dir so that wiping the data dir wipes them with the
metadata that holds the matching SCRAM users. `joinedup broker security-init`
lays out the same files in a directory of a deployment's (deployment_files.py).
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePath

from pydantic import SecretStr

from services.broker.exceptions import BrokerSecurityError
from services.broker.tls import (
    BROKER_NAMES,
    KeyPair,
    create_authority,
    issue_broker_certificate,
    needs_renewal,
)
from services.bus.security import read_client_file
from services.bus.settings import BusSettings

ADMIN = "admin"
BROKER = "broker"
SCRAM_MECHANISM = "SCRAM-SHA-512"
PRINCIPAL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass(frozen=True)
class SecurityFiles:
    """Where one data dir's security files are."""

    directory: Path

    @classmethod
    def of(cls, settings: BusSettings) -> SecurityFiles:
        """The security files of the settings' data dir."""
        return cls(settings.data_dir / "security")

    @property
    def ca_cert(self) -> Path:
        """The CA certificate clients trust (`ssl.ca.location`)."""
        return self.directory / "ca.pem"

    @property
    def ca_key(self) -> Path:
        """The CA's private key."""
        return self.directory / "ca.key"

    @property
    def broker_keystore(self) -> Path:
        """The broker's private key, certificate and CA, in the PEM form Kafka reads."""
        return self.directory / "broker-keystore.pem"

    @property
    def clients(self) -> Path:
        """The directory of every principal's client file."""
        return self.directory / "clients"

    def client(self, principal: str) -> Path:
        """The client file of `principal`."""
        if PRINCIPAL_NAME.fullmatch(principal) is None:
            raise BrokerSecurityError(
                f"principal {principal!r} is refused: a principal name is 1-64 letters, digits, "
                "dots, underscores or hyphens, starting with a letter or digit"
            )
        return self.clients / f"{principal}.properties"

    def required(self) -> tuple[Path, ...]:
        """Every file a broker formatted with SASL_SSL needs to start."""
        return (
            self.ca_cert,
            self.ca_key,
            self.broker_keystore,
            self.client(ADMIN),
            self.client(BROKER),
        )


def _private_directory(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)


def write_private(path: Path, content: bytes) -> None:
    """Write `content` to `path` readable by its owner only (0600), replacing it whole."""
    partial = path.with_name(f".{path.name}.partial")
    partial.unlink(missing_ok=True)
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(content)
    partial.replace(path)


def client_file(settings: BusSettings, principal: str) -> Path:
    """The client properties file of `principal` on the local broker (may not exist yet)."""
    return SecurityFiles.of(settings).client(principal)


def write_client_file(settings: BusSettings, principal: str, password: SecretStr | str) -> Path:
    """Write `principal`'s SASL_SSL client settings (mode 0600) and return the file's path."""
    return write_client_properties(SecurityFiles.of(settings), principal, password)


def write_client_properties(
    files: SecurityFiles,
    principal: str,
    password: SecretStr | str,
    ca_location: PurePath | None = None,
) -> Path:
    """Write `principal`'s client file among `files` (mode 0600) and return its path.

    `ca_location` is where the client finds the CA certificate (a container's mount of
    the directory, say); by default the absolute path of `files.ca_cert`.
    """
    path = files.client(principal)
    secret = password.get_secret_value() if isinstance(password, SecretStr) else password
    if not secret or any(character.isspace() for character in secret):
        raise BrokerSecurityError(
            f"the password of principal {principal!r} is refused: it must be non-empty and "
            "hold no whitespace"
        )
    _private_directory(files.clients)
    lines = (
        "security.protocol=SASL_SSL",
        f"sasl.mechanism={SCRAM_MECHANISM}",
        f"sasl.username={principal}",
        f"sasl.password={secret}",
        f"ssl.ca.location={ca_location or files.ca_cert.resolve()}",
    )
    write_private(path, ("\n".join(lines) + "\n").encode())
    return path


def client_password(settings: BusSettings, principal: str) -> SecretStr:
    """The SCRAM password kept in `principal`'s client file."""
    path = client_file(settings, principal)
    password = read_client_file(path).get("sasl.password")
    if not password:
        raise BrokerSecurityError(f"{path} holds no sasl.password: remove it and provision again")
    return SecretStr(password)


def new_password() -> SecretStr:
    """A random SCRAM password (256 bits, URL-safe characters only)."""
    return SecretStr(secrets.token_urlsafe(32))


def missing(files: SecurityFiles) -> list[Path]:
    """The required security files that do not exist."""
    return [path for path in files.required() if not path.is_file()]


def ensure_material(settings: BusSettings, now: datetime | None = None) -> SecurityFiles:
    """Create the CA, the broker's keystore and the admin and broker client files if missing.

    Existing files are reused; the broker's certificate alone is reissued by the same CA
    when it is about to expire, so clients keep trusting it.
    """
    files = SecurityFiles.of(settings)
    ensure_keys(files, now or datetime.now(UTC))
    for principal in (ADMIN, BROKER):
        if not files.client(principal).is_file():
            write_client_file(settings, principal, new_password())
    return files


def ensure_keys(
    files: SecurityFiles, now: datetime, hosts: Sequence[str] = BROKER_NAMES
) -> list[Path]:
    """Create the CA and the broker's keystore (SANs `hosts`) if missing; return what was written.

    The broker's certificate alone is reissued by the same CA when it is about to expire.
    """
    _private_directory(files.directory)
    written: list[Path] = []
    fresh_authority = not (files.ca_cert.is_file() and files.ca_key.is_file())
    if fresh_authority:
        authority = create_authority(now)
        write_private(files.ca_key, authority.key_pem)
        files.ca_cert.write_bytes(authority.cert_pem)
        written += [files.ca_cert, files.ca_key]
    authority = KeyPair(files.ca_key.read_bytes(), files.ca_cert.read_bytes())
    keystore = files.broker_keystore
    if fresh_authority or not keystore.is_file() or needs_renewal(keystore.read_bytes(), now):
        broker = issue_broker_certificate(authority, now, hosts=hosts)
        write_private(keystore, broker.key_pem + broker.cert_pem + authority.cert_pem)
        written.append(keystore)
    return written
