"""The one place the consent service's real clients are built: `build_consent_service`.

Nothing connects at import time. The app's lifespan opens the audit index's
database (or stops with one sentence saying why it cannot), makes sure the
topics exist, starts the producer, replays consent.agreements,
consent.directives and identity.merges to their ends into the state, and only
then serves; on shutdown it stops the producer and closes the database pool.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI

from consent.domain.agency import load_agency_directory
from schemas.catalogue import Catalogue
from schemas.codec import AvroCodec
from schemas.schema_source import SchemaSource
from services.audit.trail import KafkaAuditTrail
from services.bus.kafka import build_producer, ensure_topics
from services.bus.readiness import broker_check
from services.bus.settings import BusSettings
from services.config.files import config_file
from services.consent.adapters.audit_database import DatabaseTarget, open_audit_index
from services.consent.adapters.identity_merges import KafkaMergePublisher, replay_merges
from services.consent.adapters.kafka import KafkaConsentPublisher, replay
from services.consent.adapters.review_publisher import KafkaReviewPublisher
from services.consent.adapters.topics import ConsentTopics
from services.consent.entrypoints.http import build_http_app
from services.consent.handlers import ConsentService
from services.consent.identity_merges import MergeService
from services.consent.runtime import Runtime, RuntimeSlot
from services.consent.settings import ConsentSettings
from services.consent.users import UserDirectory
from services.sdk.registry import registry_checks

# Bus-internal records, not events an agency publishes: no dry run for them.
NOT_ROUTED_DOMAINS = frozenset({"consent", "audit", "view", "identity"})


@dataclass(frozen=True)
class ConsentOptions:
    """How one consent service is set up beyond the bus settings.

    A file left None is the configuration's (`config_file`): agencies.yaml,
    consent-users.yaml. The audit index's database is opened at start.
    """

    agencies_file: Path | None = None
    users_file: Path | None = None
    topics: ConsentTopics = field(default_factory=ConsentTopics)
    database_url: str | None = None  # None: DatabaseSettings' (JOINEDUP_DATABASE_URL or local)
    consent_settings: ConsentSettings = field(default_factory=ConsentSettings)


def routed_event_types(catalogue: Catalogue) -> frozenset[str]:
    """Event types the router decides on (what agreements may name)."""
    return frozenset(
        t for t in catalogue.event_types if catalogue.domain(t) not in NOT_ROUTED_DOMAINS
    )


def build_consent_service(
    settings: BusSettings, schema_source: SchemaSource, options: ConsentOptions | None = None
) -> FastAPI:
    """The consent service as an ASGI app; Kafka work happens in its lifespan."""
    options = options or ConsentOptions()
    names = options.topics
    directory = load_agency_directory(
        options.agencies_file or config_file(settings, "agencies.yaml")
    )
    users = UserDirectory.from_file(
        options.users_file or config_file(settings, "consent-users.yaml")
    )
    catalogue = Catalogue.load()
    codec = AvroCodec(schema_source, catalogue)
    slot = RuntimeSlot()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        tuning = options.consent_settings
        async with AsyncExitStack() as cleanup:
            index = await open_audit_index(
                DatabaseTarget.configured(options.database_url),
                pool_size=tuning.database_pool_size,
                timeout_s=tuning.database_timeout_s,
            )
            cleanup.push_async_callback(index.pool.close)
            await ensure_topics(
                settings,
                [names.agreements, names.directives, names.audit, names.reviews, names.merges],
            )
            producer = build_producer(settings)
            await producer.start()
            cleanup.push_async_callback(producer.stop)
            state = await replay(settings, codec, names)
            service = ConsentService(
                state=state,
                publisher=KafkaConsentPublisher(producer, codec, names),
                directory=directory,
                event_types=routed_event_types(catalogue),
            )
            audit = KafkaAuditTrail(settings, codec, names.audit)
            reviews = KafkaReviewPublisher(
                producer,
                codec,
                names.reviews,
                timeout_s=tuning.review_publish_timeout_s,
                retry_after_s=tuning.retry_after_s,
            )
            merges = MergeService(
                await replay_merges(settings, codec, names.merges),
                KafkaMergePublisher(producer, codec, names.merges),
            )
            slot.set(Runtime(service, audit, catalogue.field_classes, index, reviews, merges))
            cleanup.callback(slot.set, None)
            yield

    return build_http_app(
        slot, users, lifespan, [broker_check(settings), *registry_checks(schema_source)]
    )
