"""docs/observability.md's metrics table: rendered from the code, complete and up to date."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry
from rigs.compose import ROOT

from services.observability.catalogue import (
    END_MARKER,
    START_MARKER,
    main,
    metric_table,
    series_name,
    table_in,
    with_table,
    write_table,
)
from services.observability.exceptions import ObservabilityError
from services.observability.metrics import Metrics, exported_names, metrics

DOC = ROOT / "docs" / "observability.md"


def rows(table: str) -> list[list[str]]:
    """The table's body rows, cell by cell."""
    lines = table.strip().splitlines()[2:]
    return [[cell.strip() for cell in line.strip("|").split(" | ")] for line in lines]


class TestDoc:
    def test_the_docs_table_is_the_rendering(self):
        """The doc's table is exactly what the code renders (regenerate it when this fails)."""
        in_doc = table_in(DOC.read_text(encoding="utf-8"))

        assert in_doc == metric_table(metrics().families()), (
            "run .venv/bin/python -m services.observability.catalogue docs/observability.md"
        )

    def test_every_family_has_one_row(self):
        """One row per family the code defines, in the order they are defined."""
        families = Metrics(CollectorRegistry()).families()
        names = [row[0].strip("`") for row in rows(metric_table(families))]

        assert names == [series_name(family) for family in families]
        assert len(names) == len(set(names))


class TestRendering:
    def test_a_row_gives_the_queried_name_type_labels_and_meaning(self):
        """A counter's row names its `_total` series, its labels and its help text."""
        registry = Metrics(CollectorRegistry())
        (row,) = [r for r in rows(metric_table(registry.families())) if "decisions" in r[0]]

        assert row == [
            "`joinedup_decisions_total`",
            "counter",
            "`recipient`, `outcome`, `reason`",
            registry.decisions._documentation,
        ]

    def test_a_histogram_row_names_its_series_and_bucket_range(self):
        """A histogram is listed by family, with its series and its first and last bound."""
        registry = Metrics(CollectorRegistry())
        table = metric_table([registry.commit_seconds, registry.publish_to_alert])

        assert rows(table) == [
            [
                "`joinedup_transaction_commit_seconds`",
                "histogram (`_bucket`, `_sum`, `_count`; le 0.002 ... 10 s)",
                "`app`",
                registry.commit_seconds._documentation,
            ],
            [
                "`joinedup_publish_to_alert_seconds`",
                "histogram (`_bucket`, `_sum`, `_count`; le 0.01 ... 300 s)",
                "-",
                registry.publish_to_alert._documentation,
            ],
        ]

    def test_every_counter_and_gauge_name_is_a_series_a_scrape_shows(self):
        """The names the table gives for counters and gauges can be queried as written."""
        registry = Metrics(CollectorRegistry())
        exported = exported_names(registry)

        for row in rows(metric_table(registry.families())):
            if row[1] in {"counter", "gauge"}:
                assert row[0].strip("`") in exported, row[0]


class TestMarkers:
    def test_the_table_is_replaced_between_the_markers_only(self):
        """Text before and after the markers is kept; the old table goes."""
        text = f"intro\n{START_MARKER}\n| old |\n{END_MARKER}\noutro\n"

        assert with_table(text, "| new |\n") == (
            f"intro\n{START_MARKER}\n| new |\n{END_MARKER}\noutro\n"
        )
        assert table_in(with_table(text, "| new |\n")) == "| new |\n"

    @pytest.mark.parametrize("text", ["no markers", f"{END_MARKER}\n{START_MARKER}"])
    def test_missing_or_reversed_markers_are_refused(self, text):
        """Without a start marker before an end marker there is nowhere to write."""
        with pytest.raises(ObservabilityError, match="metrics:start"):
            table_in(text)
        with pytest.raises(ObservabilityError, match="metrics:start"):
            with_table(text, "| new |\n")

    def test_write_table_repairs_a_stale_doc_and_leaves_a_current_one(self, tmp_path):
        """A stale table is rewritten (True); a second run changes nothing (False)."""
        doc = tmp_path / "observability.md"
        doc.write_text(f"# Doc\n\n{START_MARKER}\n| stale |\n{END_MARKER}\n", encoding="utf-8")

        assert write_table(doc) is True
        assert table_in(doc.read_text(encoding="utf-8")) == metric_table(metrics().families())
        assert write_table(doc) is False

    def test_main_rewrites_each_doc_named(self, tmp_path):
        """`python -m services.observability.catalogue DOC...` writes every doc it is given."""
        docs = [tmp_path / "a.md", tmp_path / "b.md"]
        for doc in docs:
            doc.write_text(f"{START_MARKER}\n{END_MARKER}\n", encoding="utf-8")

        assert main([str(doc) for doc in docs]) == 0
        for doc in docs:
            assert table_in(doc.read_text(encoding="utf-8")) == metric_table(metrics().families())
