"""Structured logging, configured once per process.

JSON lines when stderr is not a terminal, coloured console output when it is.
Per-message context (event_id, agency, topic) is bound with
`structlog.contextvars.bind_contextvars` and cleared around each message.
Never bind raw identifiers or secrets: only `child_ref` and event ids.

aiokafka logs conditions it retries until they clear (no group coordinator
yet, partitions without a leader or enough replicas on a fresh broker) at
WARNING or ERROR; `StartupRetryFilter` demotes exactly those to DEBUG.
"""

from __future__ import annotations

import logging
import re
import sys

import structlog

_COORDINATOR_STARTING = (
    r"\b(GroupCoordinatorNotAvailableError|GroupLoadInProgressError|NotCoordinatorForGroupError)\b"
)
_PARTITION_STARTING = (
    r"\b(LeaderNotAvailableError|NotLeaderForPartitionError"
    r"|NotEnoughReplicasError|NotEnoughReplicasAfterAppendError)\b"
)
# The messages aiokafka 0.14 logs before retrying, as written in
# aiokafka/consumer/group_coordinator.py (ensure_coordinator_known, _do_heartbeat) and
# aiokafka/producer/sender.py (SendProduceReqHandler.handle_response).
STARTUP_RETRY_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(rf"^Group Coordinator Request failed: .*{_COORDINATOR_STARTING}"),
    re.compile(rf"^Heartbeat send request failed: .*{_COORDINATOR_STARTING}.*\. Will retry\.$"),
    re.compile(
        rf"^Got error produce response on topic-partition .*, retrying\. Error: .*"
        rf"{_PARTITION_STARTING}"
    ),
)
STARTUP_RETRY_LOGGERS = ("aiokafka.consumer.group_coordinator", "aiokafka.producer.sender")

_configured = False


class StartupRetryFilter(logging.Filter):
    """Demotes aiokafka's retried start-up conditions to DEBUG; passes every other record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Demote a matching record, then keep it only if its logger shows DEBUG."""
        if record.levelno <= logging.DEBUG:
            return True
        message = record.getMessage()
        if not any(pattern.search(message) for pattern in STARTUP_RETRY_PATTERNS):
            return True
        record.levelno, record.levelname = logging.DEBUG, logging.getLevelName(logging.DEBUG)
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)


def quiet_startup_retries() -> None:
    """Install `StartupRetryFilter` on the aiokafka loggers that log those retries (once)."""
    for name in STARTUP_RETRY_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, StartupRetryFilter) for existing in logger.filters):
            logger.addFilter(StartupRetryFilter())


def configure_logging(level: str = "INFO", *, json: bool | None = None) -> None:
    """Configure structlog and the standard library logging; later calls do nothing."""
    global _configured  # noqa: PLW0603 - logging is process-wide by nature
    if _configured:
        return
    use_json = (not sys.stderr.isatty()) if json is None else json
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if use_json else structlog.dev.ConsoleRenderer()
    )
    processors: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
        renderer,
    ]
    structlog.configure(
        processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(name)s %(message)s")
    quiet_startup_retries()
    _configured = True
