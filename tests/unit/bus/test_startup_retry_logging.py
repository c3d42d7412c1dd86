"""aiokafka's retried start-up conditions are demoted to DEBUG; everything else is untouched."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from aiokafka import errors
from aiokafka.structs import TopicPartition

from services.bus.logging import (
    STARTUP_RETRY_LOGGERS,
    StartupRetryFilter,
    quiet_startup_retries,
)

COORDINATOR_FAILED = "Group Coordinator Request failed: %s"
HEARTBEAT_FAILED = "Heartbeat send request failed: %s. Will retry."
PRODUCE_RETRYING = "Got error produce response on topic-partition %s, retrying. Error: %s"
PARTITION = TopicPartition("joinedup.test", 0)

# (message, args, level) as aiokafka 0.14 logs them while a group or producer starts.
STARTUP_RETRIES = [
    (COORDINATOR_FAILED, (errors.GroupCoordinatorNotAvailableError(),), logging.ERROR),
    (COORDINATOR_FAILED, (errors.CoordinatorLoadInProgressError(),), logging.ERROR),
    (COORDINATOR_FAILED, (errors.NotCoordinatorForGroupError(),), logging.ERROR),
    (HEARTBEAT_FAILED, (errors.GroupCoordinatorNotAvailableError(),), logging.ERROR),
    (PRODUCE_RETRYING, (PARTITION, errors.NotEnoughReplicasError), logging.WARNING),
    (PRODUCE_RETRYING, (PARTITION, errors.NotEnoughReplicasAfterAppendError), logging.WARNING),
    (PRODUCE_RETRYING, (PARTITION, errors.LeaderNotAvailableError), logging.WARNING),
    (PRODUCE_RETRYING, (PARTITION, errors.NotLeaderForPartitionError()), logging.WARNING),
]
# Same loggers, other conditions: these must keep their level.
OTHER_PROBLEMS = [
    (COORDINATOR_FAILED, (errors.UnknownError(),), logging.ERROR),
    (HEARTBEAT_FAILED, (errors.RequestTimedOutError(),), logging.ERROR),
    (PRODUCE_RETRYING, (PARTITION, errors.MessageSizeTooLargeError), logging.WARNING),
    (
        "Heartbeat failed: %r",
        (errors.KafkaError("Unexpected exception in heartbeat task: NotEnoughReplicasError()"),),
        logging.ERROR,
    ),
    ("Unexpected error in sender routine", (), logging.ERROR),
]


def _record(logger: str, message: str, args: tuple[object, ...], level: int) -> logging.LogRecord:
    return logging.LogRecord(logger, level, "aiokafka.py", 1, message, args, None)


@pytest.fixture
def quiet_logger() -> str:
    """A logger showing WARNING and above, as aiokafka's are by default."""
    logging.getLogger("tests.startup_retry.quiet").setLevel(logging.WARNING)
    return "tests.startup_retry.quiet"


@pytest.fixture
def verbose_logger() -> str:
    """A logger showing DEBUG, as when someone debugs the client."""
    logging.getLogger("tests.startup_retry.verbose").setLevel(logging.DEBUG)
    return "tests.startup_retry.verbose"


class _Recorder(logging.Handler):
    """Keeps every record it is handed."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def coordinator_log() -> Iterator[_Recorder]:
    """aiokafka's group coordinator logger at WARNING, recorded; restored afterwards."""
    logger = logging.getLogger(STARTUP_RETRY_LOGGERS[0])
    level = logger.level
    recorder = _Recorder()
    logger.setLevel(logging.WARNING)
    logger.addHandler(recorder)
    yield recorder
    logger.removeHandler(recorder)
    logger.setLevel(level)


class TestStartupRetryFilter:
    @pytest.mark.parametrize(("message", "args", "level"), STARTUP_RETRIES)
    def test_retried_conditions_are_demoted_and_hidden(self, quiet_logger, message, args, level):
        """A retried start-up condition becomes DEBUG, so a WARNING logger drops it."""
        record = _record(quiet_logger, message, args, level)
        assert StartupRetryFilter().filter(record) is False
        assert record.levelno == logging.DEBUG
        assert record.levelname == "DEBUG"

    @pytest.mark.parametrize(("message", "args", "level"), STARTUP_RETRIES[:2])
    def test_demoted_records_still_show_when_debugging(self, verbose_logger, message, args, level):
        """With the logger at DEBUG the demoted record is still written, as DEBUG."""
        record = _record(verbose_logger, message, args, level)
        assert StartupRetryFilter().filter(record) is True
        assert record.levelno == logging.DEBUG

    @pytest.mark.parametrize(("message", "args", "level"), OTHER_PROBLEMS)
    def test_other_records_are_untouched(self, quiet_logger, message, args, level):
        """Any other message, even naming one of the errors, keeps its level and is kept."""
        record = _record(quiet_logger, message, args, level)
        assert StartupRetryFilter().filter(record) is True
        assert record.levelno == level
        assert record.levelname == logging.getLevelName(level)


class TestQuietStartupRetries:
    def test_installs_one_filter_per_aiokafka_logger(self):
        """Installing twice leaves exactly one filter on each logger that logs the retries."""
        quiet_startup_retries()
        quiet_startup_retries()
        for name in STARTUP_RETRY_LOGGERS:
            found = logging.getLogger(name).filters
            assert sum(isinstance(each, StartupRetryFilter) for each in found) == 1

    def test_the_real_logger_drops_retries_and_keeps_other_errors(self, coordinator_log):
        """Through aiokafka's own logger: the retry vanishes, an unknown error is written."""
        quiet_startup_retries()
        logger = logging.getLogger(STARTUP_RETRY_LOGGERS[0])
        logger.error(COORDINATOR_FAILED, errors.GroupCoordinatorNotAvailableError())
        logger.error(COORDINATOR_FAILED, errors.UnknownError())
        assert [record.getMessage() for record in coordinator_log.records] == [
            "Group Coordinator Request failed: [Error -1] UnknownError"
        ]
