"""Synthetic identifiers already linked on the bus, so a new run's children are new children.

The gateway links every identifier it resolves on `identity.links` and rebuilds
its index from that topic, and a child_ref is the keyed hash of the NHS number
(or the first identifier): an identifier used by an earlier run would bring back
that run's child, with the state the processors keep for it. The simulator reads
the topic (as the gateway does on start) and keeps only values in its own
synthetic ranges (identifiers.py); nothing else is kept or shown.
"""

from __future__ import annotations

from schemas.codec import AvroCodec
from services.bus import topics
from services.bus.reading import records_to_end
from services.bus.settings import BusSettings
from services.simulate.identifiers import is_synthetic


async def synthetic_identifiers_in_use(settings: BusSettings, codec: AvroCodec) -> frozenset[str]:
    """The synthetic NHS numbers and UPNs some child is already linked by."""
    found: set[str] = set()
    async for record in records_to_end(settings, topics.IDENTITY_LINKS):
        if record.value is None:
            continue
        link = codec.decode(record.value)
        kind, value = str(link["identifier_kind"]), str(link["identifier_value"])
        if is_synthetic(kind, value):
            found.add(value)
    return frozenset(found)
