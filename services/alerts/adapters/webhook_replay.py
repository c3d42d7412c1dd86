"""Replay the webhook dead letters: each one present when the replay starts is sent again.

The replay reads `deadletter.alerts-webhook` in a consumer group of its own and
commits past each letter once it is handled, so a replay run again later goes
on from there. A letter whose delivery fails again is dead-lettered again (a
new letter, after the end this run reads to), so nothing is lost and the run
ends. Letters of records that could not be read, and of receivers no longer
configured, are skipped (they stay in the topic for the operator).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from aiokafka import TopicPartition

from services.alerts.adapters.webhook_relay import Redelivered, WebhookRelay

_POLL_MS = 1000


async def replay_dead_letters(
    consumer: Any, relay: WebhookRelay, topic: str, partitions: list[int]
) -> Counter[Redelivered]:
    """Redeliver every letter of `topic` up to its end as of now; count the outcomes."""
    assigned = [TopicPartition(topic, p) for p in partitions]
    outcomes: Counter[Redelivered] = Counter()
    if not assigned:
        return outcomes
    consumer.assign(assigned)
    ends = await consumer.end_offsets(assigned)
    open_partitions = {tp for tp in assigned if await consumer.position(tp) < ends[tp]}
    while open_partitions:
        batches = await consumer.getmany(*open_partitions, timeout_ms=_POLL_MS)
        for tp, letters in batches.items():
            for letter in letters:
                if letter.offset >= ends[tp]:
                    break
                outcomes[await relay.redeliver(letter)] += 1
                await consumer.commit({tp: letter.offset + 1})
        open_partitions = {tp for tp in open_partitions if await consumer.position(tp) < ends[tp]}
    return outcomes
