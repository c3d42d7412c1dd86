"""Faust app factory: every stream processor is built here from `BusSettings`.

No module-level app: a service calls `build_faust_app(...)` in its bootstrap,
registers its agents, then runs it with `run_worker`.
"""

from __future__ import annotations

from typing import Any

import faust

from services.bus.settings import BusSettings


def build_faust_app(settings: BusSettings, app_id: str, **overrides: Any) -> faust.App:
    """A Faust app on the configured cluster, tuned for fast group joins, web off."""
    options: dict[str, Any] = {
        "broker": f"kafka://{settings.bootstrap}",
        "store": "memory://",
        "autodiscover": False,
        "web_enabled": False,
        "web_bind": "127.0.0.1",
        "topic_replication_factor": settings.replication_factor,
        "topic_partitions": settings.default_partitions,
        "broker_session_timeout": 6.0,
        "broker_heartbeat_interval": 1.0,
        "consumer_auto_offset_reset": "earliest",
        "processing_guarantee": settings.processing_guarantee.replace("-", "_"),
        "table_cleanup_interval": 30.0,
        # Faust's default is `<app id>-data` in the working directory: keep it under home.
        "datadir": str(settings.home / "faust" / "{conf.name}"),
    }
    security = settings.client_security
    if security.uses_sasl:
        options["broker_credentials"] = faust.SASLCredentials(
            username=security.username,
            password=security.password.get_secret_value() if security.password else None,
            mechanism=security.mechanism,
            ssl_context=security.ssl_context(),
        )
    elif security.uses_tls:
        options["broker_credentials"] = security.ssl_context()
    options.update(overrides)
    (settings.home / "faust").mkdir(parents=True, exist_ok=True)
    return faust.App(app_id, **options)


def run_worker(app: faust.App, loglevel: str = "warning") -> None:
    """Run `app` as a worker in this process until it is stopped by a signal."""
    worker = faust.Worker(app, loglevel=loglevel, quiet=True)
    worker.execute_from_commandline()
