"""The oversight charts: disclosures per agreement per day, denies by reason.

The busiest agreements get a line each (at most MAX_SERIES); the rest are
added up as "other agreements", so the chart stays readable.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Final

from services.audit.charts import bar_chart, line_chart
from services.audit.index_figures import DailyCount
from services.audit.svg import DENY

MAX_SERIES: Final = 6
OTHERS: Final = "other agreements"


def disclosures_chart(counts: Sequence[DailyCount], days: int, today: date) -> str:
    """Permits per agreement per day over the `days` days up to `today`."""
    first = today - timedelta(days=days - 1)
    calendar = [first + timedelta(days=n) for n in range(days)]
    position = {day: n for n, day in enumerate(calendar)}
    totals: dict[str, int] = {}
    for count in counts:
        totals[count.series] = totals.get(count.series, 0) + count.count
    ranked = sorted(totals, key=lambda name: (-totals[name], name))
    shown = set(ranked[:MAX_SERIES]) if len(ranked) > MAX_SERIES + 1 else set(ranked)
    series: dict[str, list[int]] = {name: [0] * days for name in ranked if name in shown}
    for count in counts:
        if count.day not in position:
            continue
        name = count.series if count.series in shown else OTHERS
        series.setdefault(name, [0] * days)[position[count.day]] += count.count
    title = f"Disclosures per agreement per day, last {days} days"
    return line_chart(title, calendar, series)


def denies_chart(reasons: Sequence[tuple[str, int]], days: int) -> str:
    """Denies per reason over the last `days` days, most frequent first."""
    return bar_chart(f"Denies by reason, last {days} days", list(reasons), colour=DENY)
