"""A Grafana dashboard's JSON read into panels; a file lacking a field is refused by name."""

from __future__ import annotations

import json

import pytest
from dashboard_fakes import dashboard_json

from services.dashboard.exceptions import DashboardFileError
from services.dashboard.panels import GridPos, Target, load_dashboard, parse_dashboard
from services.dashboard.settings import DASHBOARD_IN_REPOSITORY, DashboardSettings


class TestGoodDashboard:
    def test_rows_group_the_panels_that_follow_them(self):
        """Panels before the first row form an untitled row; each row holds what follows it."""
        dashboard = parse_dashboard(dashboard_json())

        assert [(row.title, [p.title for p in row.panels]) for row in dashboard.rows] == [
            ("", ["Open alerts"]),
            ("Flow", ["Records in per topic", "Commit latency"]),
            ("Collapsed", ["Notes"]),
        ]

    def test_a_panel_keeps_kind_place_unit_and_queries(self):
        """Kind, gridPos, unit, decimals and the visible targets with their legend format."""
        panel = parse_dashboard(dashboard_json()).rows[1].panels[0]

        assert panel.kind == "timeseries"
        assert panel.grid == GridPos(x=0, y=5, w=12, h=8)
        assert (panel.unit, panel.decimals) == ("reqps", 1)
        assert panel.targets == (
            Target(
                'sum by (topic) (rate(joinedup_records_consumed_total{app="$app"}'
                "[$__rate_interval]))",
                "{{topic}}",
                "A",
            ),
        )

    def test_kinds_not_drawn_are_kept_as_unsupported(self):
        """A text panel is kept (its place shows a note) and asks no query."""
        notes = parse_dashboard(dashboard_json()).rows[2].panels[0]

        assert (notes.kind, notes.grafana_type, notes.targets) == ("unsupported", "text", ())

    def test_variables_take_their_current_values(self):
        """One value as is, several as a regex alternation, All as the allValue."""
        variables = parse_dashboard(dashboard_json()).variables

        assert variables == {
            "app": "joinedup-router",
            "agency": "(school|police)",
            "everything": ".+",
        }

    def test_the_http_api_wrapper_is_accepted(self):
        """A dashboard saved from Grafana's HTTP API ({"dashboard": {...}}) reads the same."""
        wrapped = parse_dashboard({"dashboard": dashboard_json(), "meta": {}})

        assert wrapped == parse_dashboard(dashboard_json())

    def test_a_file_is_read(self, tmp_path):
        """load_dashboard reads a JSON file."""
        path = tmp_path / "board.json"
        path.write_text(json.dumps(dashboard_json()))

        assert load_dashboard(path).title == "Joined-up"


class TestBadDashboard:
    def test_no_panels_names_the_field(self):
        """A dashboard without `panels` is refused naming it."""
        with pytest.raises(DashboardFileError, match=r"^board.json: panels: missing"):
            parse_dashboard({"title": "empty"}, "board.json")

    def test_a_missing_grid_width_names_its_path(self):
        """The error names the panel's index and the field inside gridPos."""
        data = dashboard_json()
        del data["panels"][2]["gridPos"]["w"]

        with pytest.raises(DashboardFileError, match=r"panels\[2\]\.gridPos\.w: missing"):
            parse_dashboard(data)

    def test_a_target_without_expr_names_it(self):
        """A visible target lacking its PromQL is refused by path."""
        data = dashboard_json()
        data["panels"][3]["targets"][0] = {"refId": "A"}

        with pytest.raises(DashboardFileError, match=r"panels\[3\]\.targets\[0\]\.expr: missing"):
            parse_dashboard(data)

    def test_a_panel_inside_a_collapsed_row_is_named_by_its_nesting(self):
        """A collapsed row's panel lacking its type names panels[i].panels[j].type."""
        data = dashboard_json()
        del data["panels"][4]["panels"][0]["type"]

        with pytest.raises(DashboardFileError, match=r"panels\[4\]\.panels\[0\]\.type: missing"):
            parse_dashboard(data)

    def test_a_mistyped_field_says_what_is_needed(self):
        """targets as an object, not a list, is refused naming the field."""
        data = dashboard_json()
        data["panels"][0]["targets"] = {"expr": "up"}

        with pytest.raises(DashboardFileError, match=r"panels\[0\]\.targets: not a list"):
            parse_dashboard(data)

    def test_a_panel_off_the_grid_is_refused(self):
        """A panel reaching past column 24 is refused naming its gridPos."""
        data = dashboard_json()
        data["panels"][0]["gridPos"]["x"] = 20

        with pytest.raises(DashboardFileError, match=r"panels\[0\]\.gridPos: outside"):
            parse_dashboard(data)

    def test_text_that_is_not_json_names_the_line(self, tmp_path):
        """A file that is not JSON is refused with its path and the line of the fault."""
        path = tmp_path / "board.json"
        path.write_text('{\n  "panels": [,]\n}\n')

        with pytest.raises(DashboardFileError, match=r"board\.json: not JSON at line 2"):
            load_dashboard(path)

    def test_a_missing_file_names_it(self, tmp_path):
        """A dashboard file that is not there is one error naming the path."""
        with pytest.raises(DashboardFileError, match=r"cannot read the dashboard .*absent\.json"):
            load_dashboard(tmp_path / "absent.json")


class TestWhichFile:
    def test_the_setting_wins(self, tmp_path):
        """JOINEDUP_DASHBOARD_DASHBOARD_FILE names the file to draw."""
        chosen = tmp_path / "mine.json"

        assert DashboardSettings(dashboard_file=chosen).dashboard_path() == chosen

    def test_unset_it_is_the_repository_dashboard(self, tmp_path):
        """Unset, it is deploy/grafana/dashboards/joinedup.json (source tree or directory)."""
        found = DashboardSettings().dashboard_path(tmp_path)

        assert found.as_posix().endswith(DASHBOARD_IN_REPOSITORY.as_posix())
        assert found.is_file() or found == tmp_path / DASHBOARD_IN_REPOSITORY
