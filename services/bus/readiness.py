"""The bus's readiness checks: the Kafka cluster and the schema registry (`/readyz`)."""

from __future__ import annotations

import asyncio
from typing import Final

from confluent_kafka.admin import AdminClient

from services.bus import rdkafka
from services.bus.settings import BusSettings
from services.observability.readiness import Check, http_check

PROBE_TIMEOUT_S: Final = 2.0


def broker_check(settings: BusSettings) -> Check:
    """The cluster answers a metadata request (one admin client, kept between checks)."""
    held: list[AdminClient] = []

    async def probe() -> None:
        if not held:
            held.append(rdkafka.admin_client(settings))
        await asyncio.to_thread(held[0].list_topics, timeout=PROBE_TIMEOUT_S)

    return Check("broker", probe)


def registry_check(settings: BusSettings) -> Check:
    """The schema registry answers its root (an empty object, Confluent's as the project's)."""
    return http_check("registry", f"{settings.registry_url.rstrip('/')}/", PROBE_TIMEOUT_S)


def bus_checks(settings: BusSettings) -> list[Check]:
    """What every service and worker of the bus needs: the cluster and the registry."""
    return [broker_check(settings), registry_check(settings)]
