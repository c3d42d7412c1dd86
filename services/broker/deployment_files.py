"""The security files of a broker in a container: what `joinedup broker security-init DIR` writes.

    DIR/                        0700; every container mounts it read-only (default /security)
      ca.pem, ca.key, broker-keystore.pem
                                as on the local broker (security_files.py); the keystore's
                                certificate names the host names given
      server.properties         0600, the broker's configuration: the local broker's templates
                                with the container's paths, listeners and host name
      scram-users               0600, the `--add-scram=...` arguments of `kafka-storage.sh
                                format`, one a line: every principal's SCRAM user
      kafka-tools.properties    0600, the admin's settings for Kafka's own tools
                                (`--command-config`), which the broker's health check uses
      clients/<principal>.properties
                                0600, librdkafka's dialect, `ssl.ca.location` at the mount

Secrets are made once: a CA, a key or a client file that exists is kept, so running
the command again never changes a password. The files derived from them are
rewritten when the options change (a new agency, another mount path).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Final

from cryptography import x509
from pydantic import SecretStr

from services.broker.exceptions import BrokerError, BrokerSecurityError
from services.broker.security_files import (
    ADMIN,
    BROKER,
    SCRAM_MECHANISM,
    SecurityFiles,
    ensure_keys,
    new_password,
    write_client_properties,
    write_private,
)
from services.broker.storage import DEPLOY_DIR, SECURED
from services.bus.security import read_client_file

MOUNT_PATH: Final = PurePosixPath("/security")
LOG_DIRS: Final = PurePosixPath("/var/lib/kafka/data")
PORT: Final = 9092
CONTROLLER_PORT: Final = 9093
ANY_ADDRESS: Final = "0.0.0.0"  # noqa: S104 - a container's broker listens on its network
SERVER_PROPERTIES: Final = "server.properties"
SCRAM_USERS: Final = "scram-users"
TOOLS_PROPERTIES: Final = "kafka-tools.properties"
# DNS names and IPv4 addresses: what a listener line and a certificate's SANs can both hold.
LABEL: Final = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
HOST_NAME: Final = re.compile(rf"{LABEL}(?:\.{LABEL})*")
HEADER: Final = (
    "# Written by `joinedup broker security-init` for a broker in a container, from the\n"
    "# local broker's templates (deploy/local) with the container's paths, listeners and\n"
    "# advertised host name. Holds the broker's password: keep it 0600.\n"
)


@dataclass(frozen=True)
class Deployment:
    """Where the files go, the names the broker answers to, and the principals it serves."""

    directory: Path
    hosts: tuple[str, ...]
    principals: tuple[str, ...]
    mount_path: PurePosixPath = MOUNT_PATH
    log_dirs: PurePosixPath = LOG_DIRS
    port: int = PORT
    controller_port: int = CONTROLLER_PORT
    bind: str = ANY_ADDRESS

    def __post_init__(self) -> None:
        """Refuse a deployment without a host name, with a malformed one, or a relative mount."""
        if not self.hosts:
            raise BrokerSecurityError("name at least one host the broker is reached by (--host)")
        malformed = [host for host in self.hosts if HOST_NAME.fullmatch(host) is None]
        if malformed:
            raise BrokerSecurityError(
                f"host name(s) {', '.join(map(repr, malformed))} refused: a host is a DNS name "
                "or an IPv4 address"
            )
        if not self.mount_path.is_absolute():
            raise BrokerSecurityError(f"the mount path {self.mount_path} is not absolute")

    @property
    def files(self) -> SecurityFiles:
        """The CA, keystore and client files, laid out as on the local broker."""
        return SecurityFiles(self.directory)

    @property
    def users(self) -> tuple[str, ...]:
        """Every SCRAM user: the super users `admin` and `broker`, then the principals."""
        return tuple(dict.fromkeys((ADMIN, BROKER, *self.principals)))

    @property
    def server_properties(self) -> Path:
        """The broker's server.properties."""
        return self.directory / SERVER_PROPERTIES

    @property
    def scram_users(self) -> Path:
        """The `--add-scram` arguments of the storage's format, one a line."""
        return self.directory / SCRAM_USERS

    @property
    def tools_properties(self) -> Path:
        """The admin's settings for Kafka's own command-line tools."""
        return self.directory / TOOLS_PROPERTIES

    def mounted(self, path: Path) -> PurePosixPath:
        """Where a container that mounts the directory at the mount path sees `path`."""
        return self.mount_path.joinpath(*path.relative_to(self.directory).parts)


def _set(text: str, key: str, value: str) -> str:
    lines = text.splitlines()
    found = [number for number, line in enumerate(lines) if line.startswith(f"{key}=")]
    if len(found) != 1:
        msg = f"the broker templates in {DEPLOY_DIR} set {key} {len(found)} times, not once"
        raise BrokerError(msg)
    lines[found[0]] = f"{key}={value}"
    return "\n".join(lines) + "\n"


def render_server_properties(deployment: Deployment, broker_password: SecretStr) -> str:
    """The broker's server.properties: the local templates, bound and advertised for a container.

    Listeners on the bind address, advertised as the first host name, which is also
    where the broker reaches its controller (mutual TLS, as on the local broker).
    """
    files = deployment.files
    values: dict[str, object] = {
        "port": deployment.port,
        "controller_port": deployment.controller_port,
        "log_dirs": deployment.log_dirs,
        "auto_create": "false",
        "admin_principal": ADMIN,
        "broker_principal": BROKER,
        "broker_password": broker_password.get_secret_value(),
        "keystore": deployment.mounted(files.broker_keystore),
        "ca": deployment.mounted(files.ca_cert),
    }
    common = (DEPLOY_DIR / "server.properties").read_text(encoding="utf-8")
    listeners = (DEPLOY_DIR / f"listeners-{SECURED}.properties").read_text(encoding="utf-8")
    text = f"{HEADER}{common.format(**values)}\n{listeners.format(**values)}"
    host, bind = deployment.hosts[0], deployment.bind
    port, controller = deployment.port, deployment.controller_port
    text = _set(text, "controller.quorum.bootstrap.servers", f"{host}:{controller}")
    text = _set(text, "listeners", f"SASL_SSL://{bind}:{port},CONTROLLER://{bind}:{controller}")
    return _set(
        text, "advertised.listeners", f"SASL_SSL://{host}:{port},CONTROLLER://{host}:{controller}"
    )


def scram_user_arguments(passwords: Mapping[str, SecretStr]) -> list[str]:
    """One `--add-scram=` argument of `kafka-storage.sh format` per user."""
    return [
        f"--add-scram={SCRAM_MECHANISM}=[name={name},password={password.get_secret_value()}]"
        for name, password in passwords.items()
    ]


def tools_properties(deployment: Deployment, admin_password: SecretStr) -> str:
    """The admin's client settings in the dialect of Kafka's Java tools."""
    secret = admin_password.get_secret_value()
    lines = (
        "security.protocol=SASL_SSL",
        f"sasl.mechanism={SCRAM_MECHANISM}",
        (
            "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
            f'username="{ADMIN}" password="{secret}";'
        ),
        "ssl.truststore.type=PEM",
        f"ssl.truststore.location={deployment.mounted(deployment.files.ca_cert)}",
    )
    return "\n".join(lines) + "\n"


def _shown(deployment: Deployment, path: Path) -> str:
    return str(path.relative_to(deployment.directory))


def _client(deployment: Deployment, principal: str) -> tuple[SecretStr, str]:
    """The principal's password, from its client file or new, and what was done."""
    files = deployment.files
    path = files.client(principal)
    shown = _shown(deployment, path)
    ca = deployment.mounted(files.ca_cert)
    if not path.is_file():
        password = new_password()
        write_client_properties(files, principal, password, ca)
        return password, f"+ {shown} (user {principal}, new password)"
    properties = read_client_file(path)
    secret = properties.get("sasl.password")
    if not secret:
        raise BrokerSecurityError(f"{path} holds no sasl.password: remove it and run again")
    password = SecretStr(secret)
    if properties.get("ssl.ca.location") != str(ca):
        write_client_properties(files, principal, password, ca)
        return password, f"~ {shown} rewritten: CA at {ca} (password kept)"
    return password, f"= {shown} kept"


def _derived(deployment: Deployment, path: Path, content: str) -> str:
    """Write `content` to `path` (0600) unless it holds it already; say which."""
    shown = _shown(deployment, path)
    if not path.is_file():
        write_private(path, content.encode())
        return f"+ {shown}"
    if path.read_text(encoding="utf-8") == content:
        return f"= {shown} kept"
    write_private(path, content.encode())
    if path == deployment.scram_users:
        return (
            f"~ {shown} rewritten: a broker already formatted does not read it again; "
            "create its new users as admin (kafka-configs.sh --alter --entity-type users)"
        )
    return f"~ {shown} rewritten"


def _unnamed_hosts(deployment: Deployment) -> list[str]:
    """The host names the kept broker certificate does not name."""
    keystore = deployment.files.broker_keystore.read_bytes()
    names = x509.load_pem_x509_certificate(keystore).extensions.get_extension_for_class(
        x509.SubjectAlternativeName
    )
    named = {str(name.value) for name in names.value}
    return [host for host in deployment.hosts if host not in named]


def ensure_deployment(deployment: Deployment, now: datetime | None = None) -> list[str]:
    """Write what is missing into the deployment's directory; return one line per file.

    `+` written now, `=` kept as it was, `~` rewritten for the options given
    (passwords kept), `!` a kept file that does not match the options.
    """
    files = deployment.files
    written = ensure_keys(files, now or datetime.now(UTC), deployment.hosts)
    lines = [
        f"+ {_shown(deployment, path)}" if path in written else f"= {_shown(deployment, path)} kept"
        for path in (files.ca_cert, files.ca_key, files.broker_keystore)
    ]
    unnamed = [] if files.broker_keystore in written else _unnamed_hosts(deployment)
    if unnamed:
        lines.append(
            f"! {_shown(deployment, files.broker_keystore)} kept does not name "
            f"{', '.join(unnamed)}: remove it and run again to reissue it"
        )
    passwords: dict[str, SecretStr] = {}
    for principal in deployment.users:
        passwords[principal], line = _client(deployment, principal)
        lines.append(line)
    derived = (
        (deployment.server_properties, render_server_properties(deployment, passwords[BROKER])),
        (deployment.scram_users, "\n".join(scram_user_arguments(passwords)) + "\n"),
        (deployment.tools_properties, tools_properties(deployment, passwords[ADMIN])),
    )
    lines += [_derived(deployment, path, content) for path, content in derived]
    return lines
