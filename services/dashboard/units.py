"""Values as text in a Grafana unit: seconds, bytes, percentages, rates, plain numbers.

The common units of `fieldConfig.defaults.unit` are scaled as Grafana
scales them (500 ms, 1.5 MiB, 12 %); `suffix:<text>` appends the text; any
other unit is written after the number.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

SHORT: Final = ((1e12, " T"), (1e9, " G"), (1e6, " M"), (1e3, " k"), (1.0, ""))
IEC_BYTES: Final = ((2.0**40, " TiB"), (2.0**30, " GiB"), (2.0**20, " MiB"), (2.0**10, " KiB"))
SI_BYTES: Final = ((1e12, " TB"), (1e9, " GB"), (1e6, " MB"), (1e3, " kB"))
DURATIONS: Final = ((3600.0, " h"), (60.0, " min"), (1.0, " s"), (1e-3, " ms"), (1e-6, " µs"))
TO_SECONDS: Final[Mapping[str, float]] = {"s": 1.0, "ms": 1e-3, "µs": 1e-6, "us": 1e-6, "ns": 1e-9}
RATES: Final[Mapping[str, str]] = {
    "reqps": " req/s",
    "rps": " reads/s",
    "wps": " writes/s",
    "ops": " ops/s",
    "iops": " io/s",
    "cps": " /s",
    "pps": " packets/s",
}
PLAIN: Final = ("", "none", "short")
LARGE: Final = 100
MEDIUM: Final = 10


def number(value: float, decimals: int | None = None) -> str:
    """`value` with `decimals` places, else about three significant digits, no trailing zeros."""
    if decimals is not None:
        return f"{value:.{decimals}f}"
    size = abs(value)
    if size == 0:
        return "0"
    if size < 0.01:  # below two decimals: the significant digits
        return f"{value:.2g}"
    places = 0 if size >= LARGE else 1 if size >= MEDIUM else 2
    text = f"{value:.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class Scaling:
    """How a unit is written: its steps (size, suffix), the suffix below them, a factor."""

    steps: Sequence[tuple[float, str]] = ()
    below: str = ""
    factor: float = 1.0
    after: str = ""

    def write(self, value: float, decimals: int | None) -> str:
        """`value` times the factor, divided by the largest step it reaches, suffixed."""
        value *= self.factor
        for size, suffix in self.steps:
            if abs(value) >= size:
                return number(value / size, decimals) + suffix + self.after
        return number(value, decimals) + self.below + self.after


UNITS: Final[Mapping[str, Scaling]] = {
    **{unit: Scaling(SHORT) for unit in PLAIN},
    **{unit: Scaling(DURATIONS, " s", factor) for unit, factor in TO_SECONDS.items()},
    "percent": Scaling(below=" %"),
    "percentunit": Scaling(below=" %", factor=100.0),
    "bytes": Scaling(IEC_BYTES, " B"),
    "decbytes": Scaling(SI_BYTES, " B"),
    **{unit: Scaling(SHORT, after=suffix) for unit, suffix in RATES.items()},
}


def format_value(value: float, unit: str = "", decimals: int | None = None) -> str:
    """`value` as text in Grafana's `unit` (NaN and infinities as Prometheus writes them)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    scaling = UNITS.get(unit)
    if scaling is not None:
        return scaling.write(value, decimals)
    if unit.startswith("suffix:"):
        return number(value, decimals) + unit.removeprefix("suffix:")
    return f"{number(value, decimals)} {unit}"
