"""Ask the local broker for its metadata over the listener its data dir was formatted with.

A SASL_SSL broker is asked as its admin principal, from the admin's client
file; a PLAINTEXT one without credentials. librdkafka's own log lines are
silenced (the broker is probed every half second while it starts) and its last
error is kept for the message instead.
"""

from __future__ import annotations

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient

from services.broker.security_files import ADMIN, client_file
from services.broker.storage import SECURED, recorded_security
from services.bus.exceptions import BrokerUnreachableError
from services.bus.security import read_client_file
from services.bus.settings import BusSettings

SILENT = 0  # librdkafka's syslog level 0 (emergencies only): nothing it says here


def local_client_options(settings: BusSettings) -> dict[str, str]:
    """The local broker's admin options for librdkafka: its address and client file, if any."""
    options = {"bootstrap.servers": f"127.0.0.1:{settings.broker_port}"}
    if recorded_security(settings) == SECURED:
        options |= read_client_file(client_file(settings, ADMIN))
    return options


def probe_local_broker(settings: BusSettings, timeout_s: float) -> int:
    """Return how many brokers answer the local broker's metadata request, or raise."""
    options = local_client_options(settings)
    errors: list[str] = []

    def keep(error: KafkaError) -> None:
        errors.append(error.str())

    bootstrap = options["bootstrap.servers"]
    admin: AdminClient | None = None
    try:
        admin = AdminClient({**options, "log_level": SILENT}, error_cb=keep)
        metadata = admin.list_topics(timeout=timeout_s)
    except KafkaException as exc:
        if admin is not None:
            admin.poll(0)  # serves error_cb: librdkafka's own reason
        reason = errors[-1] if errors else exc.args[0].str()
        msg = (
            f"the local broker at {bootstrap} did not answer within {timeout_s:g}s ({reason}); "
            "see `joinedup broker logs`"
        )
        raise BrokerUnreachableError(msg) from None
    return len(metadata.brokers)
