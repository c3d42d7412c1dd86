"""The SVG pictures: well-formed, escaped, and drawing what they are given."""

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

from services.audit.charts import bar_chart, line_chart
from services.audit.svg import nice_ceiling
from services.audit.timeline import TimelineMark, timeline

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script> & "quotes"'


def parsed(picture: str) -> ET.Element:
    """The picture as XML (a parse error fails the test)."""
    return ET.fromstring(picture)  # noqa: S314 - our own output


def texts(picture: str) -> list[str]:
    return [node.text or "" for node in parsed(picture).iter(f"{SVG}text")]


class TestCharts:
    def test_a_bar_per_reason_with_its_count(self):
        """Each (label, count) is a bar with its label and number; the longest fills the scale."""
        picture = bar_chart("Denies", [("no-agreement", 40), ("consent-withdrawn", 10)])
        bars = list(parsed(picture).iter(f"{SVG}rect"))
        assert len(bars) == 2
        assert float(bars[0].get("width", "0")) == 4 * float(bars[1].get("width", "0"))
        assert {"no-agreement", "consent-withdrawn", "40", "10"} <= set(texts(picture))

    def test_names_are_escaped_and_never_markup(self):
        """A label holding markup stays text: no script element, the words kept."""
        for picture in (
            bar_chart(HOSTILE, [(HOSTILE, 1)]),
            line_chart(HOSTILE, [date(2026, 3, 1)], {HOSTILE: [1]}),
            timeline(HOSTILE, [TimelineMark(HOSTILE, datetime.now(UTC), "deny", False, HOSTILE)]),
        ):
            root = parsed(picture)
            assert not list(root.iter(f"{SVG}script"))
            assert "<script>" not in picture
            assert HOSTILE in (root.findtext(f"{SVG}title") or "")

    def test_a_line_per_series_and_a_point_per_day(self):
        """Series become polylines with one point per day, and a legend entry each."""
        days = [date(2026, 3, 1) + timedelta(days=n) for n in range(5)]
        picture = line_chart("Disclosures", days, {"isa-a": [1, 2, 3, 4, 5], "isa-b": [0] * 5})
        lines = list(parsed(picture).iter(f"{SVG}polyline"))
        assert len(lines) == 2
        assert [len(line.get("points", "").split()) for line in lines] == [5, 5]
        assert {"isa-a (15)", "isa-b (0)"} <= set(texts(picture))

    def test_nothing_to_draw_says_so(self):
        """Empty data gives a picture with a sentence, not an error."""
        assert "Nothing in this period." in texts(bar_chart("Denies", []))
        assert "Nothing in this period." in texts(line_chart("Disclosures", [], {}))
        assert "No decisions are recorded about this child." in texts(timeline("T", []))

    def test_axis_maxima_are_round_numbers(self):
        """1, 2, 5 times a power of ten at or above the largest value."""
        assert [nice_ceiling(n) for n in (0, 1, 3, 7, 10, 11, 260, 5001)] == [
            1, 1, 5, 10, 10, 20, 500, 10000,
        ]  # fmt: skip


class TestTimeline:
    def test_a_lane_per_recipient_and_a_shape_per_decision(self):
        """Permits are circles, denies crosses, overrides ringed by a diamond; lanes in order."""
        start = datetime(2021, 1, 1, tzinfo=UTC)
        marks = [
            TimelineMark("Police West", start, "deny", False, "d"),
            TimelineMark("LA education", start + timedelta(days=400), "permit", False, "p"),
            TimelineMark("LA education", start + timedelta(days=1800), "permit", True, "o"),
        ]
        picture = timeline("Decisions", marks)
        root = parsed(picture)
        circles = [c for c in root.iter(f"{SVG}circle") if c.findtext(f"{SVG}title")]
        assert len(circles) == 2
        tooltips = [p.findtext(f"{SVG}title") for p in root.iter(f"{SVG}path")]
        assert "d" in tooltips
        diamonds = [p for p in root.iter(f"{SVG}path") if p.get("d", "").endswith("Z")]
        assert len(diamonds) == 2  # the override's, and the legend's
        lanes = texts(picture)
        assert lanes.index("Police West") < lanes.index("LA education")
        assert {"2022", "2024"} <= set(lanes)  # five years: yearly ticks

    def test_marks_sit_in_time_order_left_to_right(self):
        """A later decision is drawn further right."""
        start = datetime(2026, 3, 1, tzinfo=UTC)
        marks = [
            TimelineMark("A", start + timedelta(days=n), "permit", False, f"m{n}") for n in (0, 9)
        ]
        circles = [
            c
            for c in parsed(timeline("T", marks)).iter(f"{SVG}circle")
            if c.findtext(f"{SVG}title")
        ]
        assert float(circles[0].get("cx", "0")) < float(circles[1].get("cx", "0"))
