"""Codec throughput: AvroCodec encode/decode of a typical AttendanceMarked vs bare fastavro.

Run: .venv/bin/python bench/bench_codec.py [events]
The baseline is fastavro's schemaless writer/reader on the same parsed schema
without the Confluent framing or the codec's checks, measured in the same run.
"""

from __future__ import annotations

import sys
import time
from io import BytesIO

import fastavro
from figures import report_figures

from schemas.catalogue import Catalogue
from schemas.codec import AvroCodec
from schemas.samples import sample_event
from schemas.schema_source import InMemorySchemaSource


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


def timed(function, count: int) -> float:
    start = time.perf_counter()
    for _ in range(count):
        function()
    return rate(count, time.perf_counter() - start)


def main(count: int = 100_000) -> None:
    event = sample_event("AttendanceMarked", minutes_late=5, register_code="L")
    codec = AvroCodec(InMemorySchemaSource())
    framed = codec.encode("AttendanceMarked", event)
    schema = Catalogue.load().schema("AttendanceMarked")
    body = framed[5:]

    def bare_encode() -> None:
        buffer = BytesIO()
        fastavro.schemaless_writer(buffer, schema, event)

    def bare_decode() -> None:
        fastavro.schemaless_reader(BytesIO(body), schema, None)

    timed(lambda: codec.decode(codec.encode("AttendanceMarked", event)), 2_000)  # warm up
    results = {
        "encode": (
            timed(lambda: codec.encode("AttendanceMarked", event), count),
            timed(bare_encode, count),
        ),
        "decode": (timed(lambda: codec.decode(framed), count), timed(bare_decode, count)),
    }
    print(f"AttendanceMarked, {len(framed)} bytes framed, {count} events per measure")
    print(f"{'':8}{'codec ev/s':>14}{'fastavro ev/s':>16}{'ratio':>8}")
    for name, (ours, bare) in results.items():
        print(f"{name:8}{ours:>14,.0f}{bare:>16,.0f}{ours / bare:>8.2f}")
    report_figures(
        "bench_codec",
        {
            "event": "AttendanceMarked",
            "framed_bytes": len(framed),
            "count": count,
            **{
                name: {
                    "codec_per_s": round(ours),
                    "fastavro_per_s": round(bare),
                    "ratio": round(ours / bare, 3),
                }
                for name, (ours, bare) in results.items()
            },
        },
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
