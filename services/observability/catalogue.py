"""The table of exported metrics in docs/observability.md, rendered from `Metrics` itself.

`metric_table(metrics().families())` is the table; `write_table` puts it
between the markers of the doc, and a unit test fails when the doc's table
is not the rendering (so the doc cannot drift from the code). Regenerate with
`.venv/bin/python -m services.observability.catalogue docs/observability.md`.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Final

from prometheus_client import Histogram
from prometheus_client.metrics import MetricWrapperBase
from prometheus_client.metrics_core import Metric

from services.observability.exceptions import ObservabilityError
from services.observability.metrics import metrics

START_MARKER: Final = "<!-- metrics:start -->"
END_MARKER: Final = "<!-- metrics:end -->"
_SUFFIX: Final = {"counter": "_total", "gauge": "", "histogram": ""}


def _described(family: MetricWrapperBase) -> Metric:
    return next(iter(family.describe()))


def series_name(family: MetricWrapperBase) -> str:
    """The name the table gives: with `_total` for a counter, a histogram's family name."""
    described = _described(family)
    return f"{described.name}{_SUFFIX[described.type]}"


def _kind(family: MetricWrapperBase) -> str:
    if not isinstance(family, Histogram):
        return _described(family).type
    bounds = [b for b in family._upper_bounds if not math.isinf(b)]  # noqa: SLF001 - only here
    return f"histogram (`_bucket`, `_sum`, `_count`; le {bounds[0]:g} ... {bounds[-1]:g} s)"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def metric_table(families: Iterable[MetricWrapperBase]) -> str:
    """The families as a markdown table: metric, type, labels, meaning."""
    lines = ["| metric | type | labels | meaning |", "|---|---|---|---|"]
    for family in families:
        labels = ", ".join(f"`{name}`" for name in family._labelnames) or "-"  # noqa: SLF001
        meaning = _cell(_described(family).documentation)
        lines.append(f"| `{series_name(family)}` | {_kind(family)} | {labels} | {meaning} |")
    return "\n".join(lines) + "\n"


def table_in(text: str) -> str:
    """The table between the markers of `text`."""
    start, end = _markers(text)
    return text[start + len(START_MARKER) : end].lstrip("\n")


def with_table(text: str, table: str) -> str:
    """`text` with everything between the markers replaced by `table`."""
    start, end = _markers(text)
    return f"{text[: start + len(START_MARKER)]}\n{table}{text[end:]}"


def _markers(text: str) -> tuple[int, int]:
    start, end = text.find(START_MARKER), text.find(END_MARKER)
    if start < 0 or end < start:
        msg = f"no {START_MARKER} ... {END_MARKER} pair to hold the metrics table"
        raise ObservabilityError(msg)
    return start, end


def write_table(path: Path) -> bool:
    """Rewrite `path`'s table from the code; whether it changed."""
    text = path.read_text(encoding="utf-8")
    updated = with_table(text, metric_table(metrics().families()))
    if updated != text:
        path.write_text(updated, encoding="utf-8")
    return updated != text


def main(arguments: Sequence[str]) -> int:
    """`python -m services.observability.catalogue DOC...`: rewrite each doc's table."""
    for argument in arguments:
        write_table(Path(argument))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
