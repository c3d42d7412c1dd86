"""A stat's looks from Grafana's JSON: value mappings, threshold colours, background tiles."""

from __future__ import annotations

import math

import pytest
from dashboard_fakes import dashboard_json

from services.dashboard.charts import Line, stat_picture
from services.dashboard.panels import load_dashboard, parse_dashboard
from services.dashboard.settings import DashboardSettings
from services.dashboard.styling import COLOURS, colour, value_style

UP_DOWN = {
    "unit": "none",
    "mappings": [
        {
            "type": "value",
            "options": {
                "0": {"text": "down", "color": "red", "index": 0},
                "1": {"text": "up", "color": "green", "index": 1},
            },
        },
        {"type": "range", "options": {"from": 10, "to": 20, "result": {"text": "busy"}}},
        {"type": "special", "options": {"match": "nan", "result": {"text": "no answer"}}},
    ],
    "thresholds": {
        "mode": "absolute",
        "steps": [{"color": "green", "value": None}, {"color": "dark-red", "value": 5}],
    },
}


class TestValueStyle:
    def test_value_mappings_give_words_and_colours(self):
        """0 reads "down" in red, 1 "up" in green."""
        style = value_style(UP_DOWN, {})

        assert style.shown(0.0, "none", None) == ("down", COLOURS["red"])
        assert style.shown(1.0, "none", None) == ("up", COLOURS["green"])

    def test_ranges_and_nan_map_too(self):
        """A range mapping covers its ends; a special "nan" mapping catches NaN."""
        style = value_style(UP_DOWN, {})

        assert style.shown(20.0, "none", None)[0] == "busy"
        assert style.shown(math.nan, "none", None)[0] == "no answer"

    def test_unmapped_values_take_the_threshold_colour(self):
        """An unmapped value is formatted in its unit and coloured by the highest step reached."""
        style = value_style(UP_DOWN, {})

        assert style.shown(3.0, "none", None) == ("3", COLOURS["green"])
        assert style.shown(7.5, "s", None) == ("7.5 s", COLOURS["red"])

    def test_options_choose_background_and_names(self):
        """colorMode "background" fills the tile; textMode "value" hides names."""
        style = value_style({}, {"colorMode": "background", "textMode": "value"})

        assert (style.background, style.names) == (True, False)
        assert value_style({}, None).names is None

    @pytest.mark.parametrize(
        ("name", "expected"),
        [
            ("#7eb26d", "#7eb26d"),
            ("semi-dark-orange", COLOURS["orange"]),
            ("url(javascript:alert(1))", None),
            (42, None),
        ],
    )
    def test_colours_are_hex_or_known_names(self, name, expected):
        """Hex passes, Grafana's shades map to their colour, anything else is no colour."""
        assert colour(name) == expected

    def test_broken_looks_are_passed_over(self):
        """Mappings and thresholds of the wrong shape are ignored, not an error."""
        style = value_style({"mappings": "oops", "thresholds": {"steps": [None, {"value": 1}]}}, 7)

        assert (style.mappings, style.thresholds) == ((), ())


class TestStatTiles:
    def test_a_mapped_value_is_drawn_on_its_coloured_tile(self):
        """A down dependency reads "down" in white on a red tile, its name under it."""
        data = dashboard_json()
        data["panels"][0]["fieldConfig"] = {"defaults": UP_DOWN}
        data["panels"][0]["options"] = {"colorMode": "background", "textMode": "value_and_name"}
        panel = parse_dashboard(data).panels[0]

        svg = stat_picture(panel, [Line("router: database", ((1.0, 0.0),))])

        assert f'fill="{COLOURS["red"]}"' in svg
        assert ">down</text>" in svg
        assert ">router: database</text>" in svg


def test_the_shipped_dashboard_reads():
    """deploy/grafana's dashboard reads into panels this page can draw, none unsupported."""
    path = DashboardSettings().dashboard_path()

    dashboard = load_dashboard(path)

    assert dashboard.panels
    assert {panel.kind for panel in dashboard.panels} <= {"timeseries", "stat"}
