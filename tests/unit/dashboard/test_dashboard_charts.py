"""The panels' pictures: labels escaped, points inside the plot, values in their unit."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

from dashboard_fakes import HOSTILE, NOW

from services.dashboard.charts import (
    Line,
    picture_size,
    plot_frame,
    stat_picture,
    timeseries_picture,
)
from services.dashboard.panels import GridPos, Panel
from services.dashboard.scales import Window, segments, time_ticks, value_scale
from services.dashboard.svg import safe_text
from services.dashboard.units import format_value

SVG = "{http://www.w3.org/2000/svg}"
WINDOW = Window.last(30, NOW, 15)
GRID = GridPos(x=0, y=0, w=12, h=8)


def panel(kind="timeseries", unit="", title="Panel") -> Panel:
    return Panel(title=title, kind=kind, grafana_type=kind, grid=GRID, targets=(), unit=unit)


def wavy(count=121, start=None) -> tuple[tuple[float, float], ...]:
    """A point every 15 s across the window: a sine from -3 to 9, one NaN gap, one +Inf."""
    first = (start or WINDOW.start).timestamp()
    values = [3 + 6 * math.sin(index / 7) for index in range(count)]
    values[40], values[41] = math.nan, math.inf
    return tuple((first + 15 * index, value) for index, value in enumerate(values))


def parsed(svg: str) -> ET.Element:
    """The picture as XML (parsing fails on a document that is not well-formed)."""
    return ET.fromstring(svg)  # noqa: S314 - our own output


def coordinates(svg: str) -> list[tuple[float, float]]:
    """Every point of every path and circle of the picture."""
    root = parsed(svg)
    found = [
        (float(x), float(y))
        for path in root.iter(f"{SVG}path")
        for x, y in re.findall(r"(-?[\d.]+),(-?[\d.]+)", path.attrib["d"])
    ]
    found += [(float(c.attrib["cx"]), float(c.attrib["cy"])) for c in root.iter(f"{SVG}circle")]
    return found


class TestEscaping:
    def test_a_hostile_label_stays_text(self):
        """Markup, quotes and control characters in a legend cannot become elements."""
        svg = timeseries_picture(panel(), [Line(HOSTILE, wavy())], WINDOW)

        root = parsed(svg)  # well-formed XML despite NUL and ESC in the label
        assert [e for e in root.iter() if e.tag.endswith("script")] == []
        assert "<script" not in svg
        legends = [child.tail for e in root.iter(f"{SVG}text") for child in e]
        assert legends == ['<script>alert("x")</script>&"']

    def test_a_hostile_title_and_stat_name_stay_text(self):
        """The panel's title and a stat's legend are escaped too."""
        svg = stat_picture(panel("stat", title=HOSTILE), [Line(HOSTILE, ((1.0, 7.0),))])

        root = parsed(svg)
        assert root.find(f"{SVG}title").text == '<script>alert("x")</script>&"'
        assert "<script" not in svg

    def test_safe_text_escapes_attributes_and_drops_what_xml_forbids(self):
        """Quotes, angle brackets and ampersands are entities; NUL and ESC are gone."""
        assert safe_text("a\"b'<c>&\x00\x1b") == "a&quot;b&#x27;&lt;c&gt;&amp;"


class TestGeometry:
    def test_every_drawn_point_lies_inside_the_plot(self):
        """Paths and lone points of the picture all fall in the plot's rectangle."""
        svg = timeseries_picture(panel(), [Line("one", wavy())], WINDOW)
        width, height = picture_size(GRID)
        frame = plot_frame(width, height, legend_rows=1)

        points = coordinates(svg)
        assert len(points) > 100
        assert [p for p in points if not frame.contains(*p)] == []

    def test_points_outside_the_window_are_left_out(self):
        """A series starting before the window draws only what lies inside it."""
        early = wavy(count=200, start=WINDOW.start - timedelta(minutes=20))
        scale = value_scale(v for _, v in early)
        frame = plot_frame(720, 250, 1)

        runs = segments(early, WINDOW, scale, frame)
        assert all(frame.contains(x, y) for run in runs for x, y in run)
        assert min(x for run in runs for x, _ in run) >= frame.left

    def test_nan_and_infinity_break_the_line(self):
        """The non-finite values at 40 and 41 split the series into two runs."""
        scale = value_scale(v for _, v in wavy())

        runs = segments(wavy(), WINDOW, scale, plot_frame(720, 250, 1))
        assert [len(run) for run in runs] == [40, 79]

    def test_the_value_axis_covers_zero_and_every_value(self):
        """From at most the lowest value (and 0) to at least the highest, on whole ticks."""
        scale = value_scale([-3.2, 8.7, math.nan, math.inf])

        assert scale.low <= -3.2
        assert scale.high >= 8.7
        assert scale.ticks[0] == scale.low
        assert math.isclose(scale.ticks[-1], scale.high)
        assert value_scale([]).high > value_scale([]).low

    def test_time_ticks_are_round_and_inside_the_window(self):
        """Half an hour gets ticks on the five minutes, all within the window."""
        ticks = time_ticks(WINDOW)

        assert 3 <= len(ticks) <= 7
        assert all(WINDOW.start <= tick <= WINDOW.end for tick in ticks)
        assert all(tick.minute % 5 == 0 and tick.second == 0 for tick in ticks)

    def test_an_empty_panel_says_no_data(self):
        """No series: the picture says so instead of drawing axes."""
        assert "No data" in timeseries_picture(panel(), [], WINDOW)


class TestValues:
    def test_ticks_carry_the_unit(self):
        """A panel in seconds labels its ticks in ms or s."""
        svg = timeseries_picture(panel(unit="s"), [Line("p99", ((NOW.timestamp(), 0.4),))], WINDOW)

        labels = {e.text for e in parsed(svg).iter(f"{SVG}text")}
        assert {"0 s", "100 ms", "400 ms"} <= labels

    def test_a_stat_shows_the_last_finite_value_in_its_unit(self):
        """A stat draws the series' last finite value, scaled to its unit."""
        line = Line("", ((1.0, 0.2), (2.0, 0.25), (3.0, math.nan)))

        svg = stat_picture(panel("stat", unit="s"), [line])
        assert ">250 ms</text>" in svg

    def test_units_read_as_grafana_writes_them(self):
        """Seconds, bytes, percentages, rates, and an unknown unit written after the number."""
        assert format_value(0.0004, "s") == "400 µs"
        assert format_value(1536, "bytes") == "1.5 KiB"
        assert format_value(0.123, "percentunit") == "12.3 %"
        assert format_value(1500, "reqps") == "1.5 k req/s"
        assert format_value(2, "suffix: items") == "2 items"
        assert format_value(3, "widgets") == "3 widgets"
        assert format_value(math.nan, "s") == "NaN"
        assert format_value(-math.inf) == "-Inf"
        assert format_value(1.234, "s", decimals=1) == "1.2 s"
