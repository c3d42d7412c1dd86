"""Grafana's substitutions: legends from labels, variables and interval macros in queries."""

from __future__ import annotations

from services.dashboard.templating import Interval, interpolate, legend, step_for

HALF_HOUR = Interval(range_s=1800, step_s=15, scrape_s=15)


class TestLegend:
    def test_labels_fill_the_format(self):
        """{{topic}} and {{ app }} take the series' label values."""
        labels = {"topic": "ingest.school", "app": "joinedup-router"}

        assert legend("{{topic}} via {{ app }}", labels, "q") == "ingest.school via joinedup-router"

    def test_a_label_the_series_lacks_is_empty(self):
        """A format naming a label the series does not carry leaves nothing in its place."""
        assert legend("{{reason}}!", {"topic": "t"}, "q") == "!"

    def test_no_format_shows_the_label_set(self):
        """Without a format (or with __auto) the legend is name{labels}, sorted."""
        labels = {"__name__": "up", "job": "router", "instance": "a:1"}

        assert legend("", labels, "up") == 'up{instance="a:1", job="router"}'
        assert legend("__auto", labels, "up") == 'up{instance="a:1", job="router"}'

    def test_a_series_without_labels_is_named_by_its_query(self):
        """sum(x) has no labels: the legend is the query itself."""
        assert legend("", {}, "sum(joinedup_alerts_open)") == "sum(joinedup_alerts_open)"


class TestInterpolate:
    def test_interval_macros_follow_grafana(self):
        """$__rate_interval is max(step + scrape, 4 scrapes); $__interval the step."""
        expr = "rate(x[$__rate_interval]) / rate(y[${__interval}]) * $__range_s"

        assert interpolate(expr, {}, HALF_HOUR) == "rate(x[60s]) / rate(y[15s]) * 1800"

    def test_a_long_window_widens_the_rate_interval(self):
        """With a step of five minutes the rate spans a step and a scrape."""
        assert interpolate("[$__rate_interval]", {}, Interval(86400, 300, 15)) == "[315s]"

    def test_variables_in_every_grafana_spelling(self):
        """$app, ${app}, ${app:regex} and [[app]] all take the variable's value."""
        expr = 'a{app="$app"} b{app="${app}"} c{app=~"${app:regex}"} d{app="[[app]]"}'

        assert interpolate(expr, {"app": "r"}, HALF_HOUR) == (
            'a{app="r"} b{app="r"} c{app=~"r"} d{app="r"}'
        )

    def test_unknown_names_are_left_for_prometheus(self):
        """label_replace's $1 and an undefined variable stay as written."""
        expr = 'label_replace(up, "x", "$1", "job", "(.*)") + $undefined'

        assert interpolate(expr, {}, HALF_HOUR) == expr


class TestStep:
    def test_the_step_never_goes_below_a_scrape(self):
        """Half an hour at 240 points would be 8 s; scrapes every 15 s make it 15 s."""
        assert step_for(1800, 240, 15) == 15

    def test_a_day_is_about_240_points(self):
        """A day at 240 points steps six minutes."""
        assert step_for(86400, 240, 15) == 360
