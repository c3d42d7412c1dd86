"""SCRAM users and client files of every principal, on the local broker only.

A principal's client file (`<data dir>/security/clients/<principal>.properties`,
0600) holds its password; the broker holds the matching SCRAM-SHA-512
credential. An existing client file is kept, so provisioning is idempotent: a
user is created (or its credential set again) only when its file is new or the
broker does not know it. On any other cluster users are the operator's
business (their identity provider, their secrets store): refused.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from concurrent.futures import Future
from typing import Any, Final, cast

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient
from confluent_kafka.admin._scram import (  # not re-exported for mypy
    ScramCredentialInfo,
    ScramMechanism,
    UserScramCredentialAlteration,
    UserScramCredentialUpsertion,
)
from pydantic import SecretStr

from services.broker.security_files import (
    ADMIN,
    client_file,
    client_password,
    new_password,
    write_client_file,
)
from services.bus.rdkafka import admin_client
from services.bus.settings import BusSettings
from services.governance.exceptions import ClusterChangeError, LocalBrokerOnlyError
from services.governance.principals import Principal

# The settings that would replace what the admin's client file says.
OVERRIDES: Final = (
    "security_protocol",
    "sasl_mechanism",
    "sasl_username",
    "sasl_password",
    "ssl_ca_file",
    "ssl_cert_file",
    "ssl_key_file",
)
ITERATIONS: Final = 8192  # PBKDF2 rounds of the stored SCRAM credential (Kafka's minimum: 4096)
VISIBLE_WITHIN_S: Final = 15.0


def _users(admin: AdminClient, settings: BusSettings) -> set[str]:
    # Asked for no user in particular, it answers one future for all of them.
    everyone = cast(
        "Future[dict[str, Any]]",
        admin.describe_user_scram_credentials(request_timeout=settings.connect_timeout_s),
    )
    try:
        described = everyone.result()
    except KafkaException as exc:
        msg = f"the SCRAM users of {settings.bootstrap} cannot be read: {exc.args[0].str()}"
        raise ClusterChangeError(msg) from None
    return set(described)


def _password(settings: BusSettings, principal: Principal) -> tuple[SecretStr, bool]:
    """The principal's password and whether its client file was written now."""
    if client_file(settings, principal.name).is_file():
        return client_password(settings, principal.name), False
    password = new_password()
    write_client_file(settings, principal.name, password)
    return password, True


def local_admin(settings: BusSettings) -> BusSettings:
    """The settings as the local broker's admin, whatever client file or overrides they name.

    JOINEDUP_KAFKA_CLIENT_FILE may name a service's principal, or another
    broker's admin: provisioning the local broker is its own admin's work.
    """
    if not settings.uses_local_broker:
        raise LocalBrokerOnlyError(
            "users are provisioned on the local broker only, but JOINEDUP_BOOTSTRAP_SERVERS "
            f"names {settings.bootstrap}: create the SCRAM users there with your own tools"
        )
    own = dict.fromkeys(OVERRIDES) | {"kafka_client_file": client_file(settings, ADMIN)}
    return BusSettings.model_validate(settings.model_dump() | own)


def provision_users(settings: BusSettings, principals: Iterable[Principal]) -> list[str]:
    """Create the missing SCRAM users and client files; return one line per user created.

    Runs as the local broker's admin (`local_admin`), on the local broker only.
    """
    settings = local_admin(settings)
    admin = admin_client(settings)
    known = _users(admin, settings)
    upserts: list[UserScramCredentialAlteration] = []
    lines: list[str] = []
    for principal in sorted(principals):
        password, fresh = _password(settings, principal)
        if fresh or principal.name not in known:
            info = ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, ITERATIONS)
            secret = password.get_secret_value().encode()
            upserts.append(UserScramCredentialUpsertion(principal.name, info, secret))
            path = client_file(settings, principal.name)
            lines.append(f"+ user {principal.name} (client file {path})")
    if not upserts:
        return lines
    futures = admin.alter_user_scram_credentials(
        upserts, request_timeout=settings.connect_timeout_s
    )
    for user, future in futures.items():
        try:
            future.result()
        except KafkaException as exc:
            msg = f"the cluster refused the SCRAM user {user}: {exc.args[0].str()}"
            raise ClusterChangeError(msg) from None
    _wait_until_known(admin, settings, set(futures))
    return lines


def _wait_until_known(admin: AdminClient, settings: BusSettings, users: set[str]) -> None:
    """Wait until the broker lists `users`: a client may sign in as one right after."""
    deadline = time.monotonic() + VISIBLE_WITHIN_S
    while not users <= _users(admin, settings):
        if time.monotonic() > deadline:
            msg = f"the new SCRAM users did not show on {settings.bootstrap} within 15s"
            raise ClusterChangeError(msg)
        time.sleep(0.2)
