"""How a client proves who it is to the cluster: one value, turned into each library's options.

A `ClientSecurity` is resolved once from the settings (services/bus/settings.py):
a Kafka client properties file (`JOINEDUP_KAFKA_CLIENT_FILE`, the form
`joinedup broker start` writes per principal and `kcat -F` reads), overridden
field by field by the `JOINEDUP_SECURITY_PROTOCOL`, `JOINEDUP_SASL_*` and
`JOINEDUP_SSL_*` settings. Every client the project builds (aiokafka,
librdkafka, Faust) takes its options from here, so no client can be made that
skips them.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal, cast, get_args

from pydantic import SecretStr

from services.bus.exceptions import SettingsError

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"]
PROTOCOLS: Final[tuple[SecurityProtocol, ...]] = get_args(SecurityProtocol)
MECHANISMS: Final[tuple[SaslMechanism, ...]] = get_args(SaslMechanism)
# The properties a client file may hold (librdkafka's names, which kcat reads too).
FILE_KEYS: Final = frozenset(
    {
        "security.protocol",
        "sasl.mechanism",
        "sasl.mechanisms",
        "sasl.username",
        "sasl.password",
        "ssl.ca.location",
        "ssl.certificate.location",
        "ssl.key.location",
    }
)


@dataclass(frozen=True)
class ClientSecurity:
    """The protocol, credentials and trust anchors of one client."""

    protocol: SecurityProtocol = "PLAINTEXT"
    mechanism: SaslMechanism = "SCRAM-SHA-512"
    username: str | None = None
    password: SecretStr | None = field(default=None, repr=False)
    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None

    @property
    def uses_sasl(self) -> bool:
        """True when the client authenticates with a user name and password."""
        return self.protocol.startswith("SASL_")

    @property
    def uses_tls(self) -> bool:
        """True when the connection is encrypted."""
        return self.protocol in {"SSL", "SASL_SSL"}

    @property
    def encrypted_and_authenticated(self) -> bool:
        """True for the protocols production accepts without `JOINEDUP_ALLOW_PLAINTEXT`."""
        return self.protocol == "SASL_SSL" or (
            self.protocol == "SSL" and self.cert_file is not None
        )

    def check(self) -> ClientSecurity:
        """Refuse incomplete settings, one sentence naming the missing setting."""
        if self.uses_sasl and (self.username is None or self.password is None):
            raise SettingsError(
                f"{self.protocol} needs JOINEDUP_SASL_USERNAME and JOINEDUP_SASL_PASSWORD "
                "(or sasl.username and sasl.password in JOINEDUP_KAFKA_CLIENT_FILE)"
            )
        if (self.cert_file is None) != (self.key_file is None):
            raise SettingsError(
                "JOINEDUP_SSL_CERT_FILE and JOINEDUP_SSL_KEY_FILE are set together or not at all"
            )
        for name, path in (
            ("JOINEDUP_SSL_CA_FILE", self.ca_file),
            ("JOINEDUP_SSL_CERT_FILE", self.cert_file),
            ("JOINEDUP_SSL_KEY_FILE", self.key_file),
        ):
            if path is not None and not path.is_file():
                raise SettingsError(f"{name} names {path}, which is not a readable file")
        return self

    def librdkafka(self) -> dict[str, str]:
        """The options of a confluent-kafka (librdkafka) client."""
        options: dict[str, str] = {"security.protocol": self.protocol}
        if self.uses_sasl:
            options["sasl.mechanism"] = self.mechanism
            options["sasl.username"] = self.username or ""
            options["sasl.password"] = self.password.get_secret_value() if self.password else ""
        if self.uses_tls:
            if self.ca_file is not None:
                options["ssl.ca.location"] = str(self.ca_file)
            if self.cert_file is not None and self.key_file is not None:
                options["ssl.certificate.location"] = str(self.cert_file)
                options["ssl.key.location"] = str(self.key_file)
        return options

    def ssl_context(self) -> ssl.SSLContext | None:
        """The TLS context of an asyncio client (None without TLS); verifies the host name."""
        if not self.uses_tls:
            return None
        context = ssl.create_default_context(cafile=self.ca_file)
        if self.cert_file is not None and self.key_file is not None:
            context.load_cert_chain(self.cert_file, self.key_file)
        return context

    def aiokafka(self) -> dict[str, Any]:
        """The options of an aiokafka client (producer, consumer or admin)."""
        options: dict[str, Any] = {"security_protocol": self.protocol}
        if self.uses_sasl:
            options["sasl_mechanism"] = self.mechanism
            options["sasl_plain_username"] = self.username
            options["sasl_plain_password"] = (
                self.password.get_secret_value() if self.password else None
            )
        if self.uses_tls:
            options["ssl_context"] = self.ssl_context()
        return options


def read_client_file(path: Path) -> dict[str, str]:
    """The `key=value` lines of a Kafka client properties file (`#` and `!` start comments)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        msg = f"JOINEDUP_KAFKA_CLIENT_FILE names {path}, which cannot be read ({exc.strerror})"
        raise SettingsError(msg) from None
    properties: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line[0] in "#!":
            continue
        key, separator, value = line.partition("=")
        key = key.strip()
        if not separator or key not in FILE_KEYS:
            msg = (
                f"{path}, line {number}: expected key=value with a key among "
                f"{', '.join(sorted(FILE_KEYS))}"
            )
            raise SettingsError(msg)
        properties[key] = value.strip()
    return properties


def security_from(properties: Mapping[str, str], overrides: Mapping[str, Any]) -> ClientSecurity:
    """A client file's properties, each replaced by the setting given for it (None: not given)."""
    protocol = overrides.get("protocol") or properties.get("security.protocol", "PLAINTEXT")
    mechanism = (
        overrides.get("mechanism")
        or properties.get("sasl.mechanism")
        or properties.get("sasl.mechanisms", "SCRAM-SHA-512")
    )
    if protocol not in PROTOCOLS:
        raise SettingsError(f"security.protocol {protocol!r} is not one of {', '.join(PROTOCOLS)}")
    if mechanism not in MECHANISMS:
        raise SettingsError(f"sasl.mechanism {mechanism!r} is not one of {', '.join(MECHANISMS)}")
    password = overrides.get("password") or (
        SecretStr(properties["sasl.password"]) if "sasl.password" in properties else None
    )
    return ClientSecurity(
        protocol=cast("SecurityProtocol", protocol),
        mechanism=cast("SaslMechanism", mechanism),
        username=overrides.get("username") or properties.get("sasl.username"),
        password=password,
        ca_file=overrides.get("ca_file") or _path(properties.get("ssl.ca.location")),
        cert_file=overrides.get("cert_file") or _path(properties.get("ssl.certificate.location")),
        key_file=overrides.get("key_file") or _path(properties.get("ssl.key.location")),
    ).check()


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None
