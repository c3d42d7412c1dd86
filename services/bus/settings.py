"""Settings for every part of the bus, read from `JOINEDUP_*` environment variables."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.bus.exceptions import SettingsError
from services.bus.security import (
    ClientSecurity,
    SaslMechanism,
    SecurityProtocol,
    read_client_file,
    security_from,
)

Mode = Literal["development", "production"]
ProcessingGuarantee = Literal["at-least-once", "exactly-once"]

DEVELOPMENT_PLACEHOLDER = "development-only-placeholder-not-a-secret-key"

LOCAL_BROKER_PORT = 19092


def _default_home() -> Path:
    return Path.home() / ".cache" / "joinedup"


class BusSettings(BaseSettings):
    """Where the bus is and how it behaves; frozen once read."""

    model_config = SettingsConfigDict(env_prefix="JOINEDUP_", frozen=True, extra="ignore")

    mode: Mode = Field(
        default="development",
        description="How strict the bus is: `production` refuses placeholder secrets.",
    )
    bootstrap_servers: str | None = Field(
        default=None,
        description="An existing Kafka cluster; unset means the local broker on 127.0.0.1.",
    )
    home: Path = Field(default_factory=_default_home, description="Cache of jars and local state.")
    config_dir: Path | None = Field(
        default=None,
        description="The deployment's configuration files (agencies.yaml, publishers.yaml...); "
        "a file it lacks falls back to the packaged default (services/config/defaults).",
    )
    broker_data_dir: Path | None = Field(default=None, description="Local broker's log dirs.")
    broker_port: int = Field(
        default=LOCAL_BROKER_PORT, description="Local broker's client port on 127.0.0.1."
    )
    broker_controller_port: int | None = Field(
        default=None,
        description="Local broker's KRaft controller port; unset means broker_port + 1.",
    )
    broker_heap: str = Field(
        default="1g",
        description="Local broker's Java heap size (a test run creates thousands of partitions).",
    )
    broker_security: Literal["sasl_ssl", "plaintext"] = Field(
        default="sasl_ssl",
        description="Local broker's listeners, fixed when its data dir is formatted: `sasl_ssl` "
        "(TLS, SCRAM-SHA-512, ACLs) or `plaintext` (no security, for debugging).",
    )
    registry_url: str = Field(
        default="http://127.0.0.1:18081",
        description="Schema registry every client uses; `registry serve` binds its host and port.",
    )
    child_ref_key: SecretStr = Field(
        default=SecretStr(DEVELOPMENT_PLACEHOLDER),
        description="HMAC key that turns identifiers into child_refs (keyring version 1).",
    )
    processing_guarantee: ProcessingGuarantee = Field(
        default="at-least-once", description="Processing guarantee of Faust apps on the bus."
    )
    connect_timeout_s: float = Field(
        default=8.0, description="Seconds to wait for the cluster before giving up."
    )
    replication_factor: int = Field(default=1, description="Replication factor of new topics.")
    default_partitions: int = Field(default=3, description="Partitions of new topics.")
    min_insync_replicas: int = Field(
        default=1,
        description="Replicas that must have a write before it is acknowledged (acks=all), per "
        "topic; at most the replication factor (2 with 3 replicas in production).",
    )
    topic_policy_file: Path | None = Field(
        default=None,
        description="The operator's topic policy (partitions, retention, compaction per topic "
        "family, YAML); unset means the packaged services/bus/topic_policy.yaml.",
    )
    rdkafka_debug: str | None = Field(
        default=None, description="librdkafka debug contexts for the processors (e.g. eos,cgrp)."
    )
    kafka_client_file: Path | None = Field(
        default=None,
        description="Kafka client properties of this process's principal (security.protocol, "
        "sasl.*, ssl.ca.location), as `broker start` writes them; unset with the local broker: "
        "its admin principal's file.",
    )
    security_protocol: SecurityProtocol | None = Field(
        default=None, description="Overrides the client file's security.protocol."
    )
    sasl_mechanism: SaslMechanism | None = Field(
        default=None, description="Overrides the client file's sasl.mechanism (SCRAM-SHA-512)."
    )
    sasl_username: str | None = Field(
        default=None, description="Overrides the client file's sasl.username."
    )
    sasl_password: SecretStr | None = Field(
        default=None, description="Overrides the client file's sasl.password."
    )
    ssl_ca_file: Path | None = Field(
        default=None, description="CA certificates (PEM) the client trusts for the cluster."
    )
    ssl_cert_file: Path | None = Field(
        default=None, description="Client certificate (PEM) for mutual TLS."
    )
    ssl_key_file: Path | None = Field(default=None, description="Client certificate's key (PEM).")
    allow_plaintext: bool = Field(
        default=False,
        description="Let production mode connect without TLS and authentication (never for "
        "children's data on a shared network).",
    )

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> BusSettings:
        if self.mode == "production" and (
            self.child_ref_key.get_secret_value() == DEVELOPMENT_PLACEHOLDER
        ):
            msg = "JOINEDUP_CHILD_REF_KEY must be set to a real secret in production mode"
            raise SettingsError(msg)
        if (
            self.mode == "production"
            and not self.allow_plaintext
            and not self.client_security.encrypted_and_authenticated
        ):
            msg = (
                f"production mode refuses security.protocol {self.client_security.protocol}: "
                "use SASL_SSL (or SSL with a client certificate), or set "
                "JOINEDUP_ALLOW_PLAINTEXT=true"
            )
            raise SettingsError(msg)
        return self

    @property
    def client_file(self) -> Path | None:
        """The client properties file in force: the setting, else the local broker's admin's."""
        if self.kafka_client_file is not None or not self.uses_local_broker:
            return self.kafka_client_file
        local_admin = self.data_dir / "security" / "clients" / "admin.properties"
        return local_admin if local_admin.is_file() else None

    @cached_property
    def client_security(self) -> ClientSecurity:
        """How this process's clients authenticate: the client file, then the settings over it."""
        source = self.client_file
        properties = read_client_file(source) if source is not None else {}
        return security_from(
            properties,
            {
                "protocol": self.security_protocol,
                "mechanism": self.sasl_mechanism,
                "username": self.sasl_username,
                "password": self.sasl_password,
                "ca_file": self.ssl_ca_file,
                "cert_file": self.ssl_cert_file,
                "key_file": self.ssl_key_file,
            },
        )

    @property
    def uses_local_broker(self) -> bool:
        """True when no external cluster is configured."""
        return self.bootstrap_servers is None

    @property
    def bootstrap(self) -> str:
        """The bootstrap address every client connects to."""
        return self.bootstrap_servers or f"127.0.0.1:{self.broker_port}"

    @property
    def controller_port(self) -> int:
        """The local broker's KRaft controller port."""
        if self.broker_controller_port is None:
            return self.broker_port + 1
        return self.broker_controller_port

    @property
    def data_dir(self) -> Path:
        """The local broker's data directory."""
        return self.broker_data_dir or self.home / "broker-data"
