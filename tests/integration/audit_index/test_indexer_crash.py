"""Exactly once under SIGKILL and with two indexers: no row lost, none doubled, chains intact."""

from __future__ import annotations

import itertools
import random
import signal
import subprocess
import threading
import time

import pytest
from rigs.audit_topic import indexer_command, run_cli

pytestmark = pytest.mark.integration

TOTAL = 3000
CHUNK = 100


def _produce_slowly(rig, total: int = TOTAL) -> threading.Thread:
    """Write `total` records in chunks, about 0.15 s apart, on a thread of their own."""

    def produce() -> None:
        for _ in range(total // CHUNK):
            rig.writer.write(CHUNK)
            time.sleep(0.15)

    thread = threading.Thread(target=produce, daemon=True)
    thread.start()
    return thread


def _start(rig, group: str) -> subprocess.Popen[bytes]:
    command = indexer_command(rig.decisions, rig.reviews, "--batch-size", "50", "--group-id", group)
    return subprocess.Popen(
        command, env=rig.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def _wait_for_more_rows(rig, than: int, process: subprocess.Popen[bytes]) -> int:
    """Wait until the index holds more than `than` rows (the indexer is mid-stream)."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, "the indexer exited on its own"
        count = rig.count("SELECT count(*) FROM audit_decision")
        if count > than:
            return count
        time.sleep(0.05)
    raise AssertionError(f"the indexer wrote nothing past {than} rows in 90 s")


def _assert_exactly_once_and_chained(rig) -> None:
    rows = rig.rows()
    assert [(p, o) for p, o, _, _ in rows] == sorted(rig.writer.written)
    for before, after in itertools.pairwise(rows):
        if before[0] == after[0]:
            assert after[2] == before[3], f"chain broken at {after[:2]}"
    assert rig.count("SELECT count(*) FROM audit_chain_break") == 0
    for partition, tail in rig.writer.tails.items():
        stored = rig.count(
            "SELECT count(*) FROM audit_index_position"
            " WHERE topic = %s AND topic_partition = %s AND chain_tail = %s",
            (rig.decisions, partition, tail),
        )
        assert stored == 1, f"partition {partition}'s stored tail is not the topic's"


class TestIndexerCrash:
    def test_sigkill_mid_stream_loses_and_doubles_nothing(self, audit_rig, unique_name):
        """Killed -9 four times while records arrive, restarted each time: every record once."""
        group = unique_name("audit-indexer-crash")
        producing = _produce_slowly(audit_rig)
        rows = 0
        for _ in range(4):
            indexer = _start(audit_rig, group)
            rows = _wait_for_more_rows(audit_rig, rows, indexer)
            time.sleep(random.uniform(0.0, 0.4))  # noqa: S311 - a random kill point, not a secret
            indexer.send_signal(signal.SIGKILL)
            indexer.wait(10)
        producing.join(120)

        summary = run_cli(audit_rig.catch_up("--group-id", group), audit_rig.env)

        assert len(audit_rig.writer.written) == TOTAL
        assert f"{TOTAL} decision rows in the index" in summary
        _assert_exactly_once_and_chained(audit_rig)

    def test_two_indexers_in_one_group_write_each_row_once(self, audit_rig, unique_name):
        """Two indexers sharing a group while records arrive: each record is one row."""
        group = unique_name("audit-indexer-pair")
        indexers = [_start(audit_rig, group), _start(audit_rig, group)]
        try:
            _produce_slowly(audit_rig, 1500).join(120)
            deadline = time.monotonic() + 120
            while rig_rows(audit_rig) < 1500 and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            for indexer in indexers:
                indexer.send_signal(signal.SIGTERM)
            for indexer in indexers:
                indexer.wait(30)

        _assert_exactly_once_and_chained(audit_rig)

    def test_two_catching_up_at_once_write_each_row_once(self, audit_rig, unique_name):
        """Two indexers reading every partition at the same time: the position lock keeps one."""
        audit_rig.writer.write(2000)
        command = [*indexer_command(audit_rig.decisions, audit_rig.reviews), "--until-caught-up"]
        command += ["--batch-size", "50"]
        pair = [
            subprocess.Popen(command, env=audit_rig.env, stderr=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        summaries = [process.communicate(timeout=180)[1] for process in pair]

        assert [process.returncode for process in pair] == [0, 0], summaries
        _assert_exactly_once_and_chained(audit_rig)


def rig_rows(rig) -> int:
    """How many decisions the index holds."""
    return rig.count("SELECT count(*) FROM audit_decision")
