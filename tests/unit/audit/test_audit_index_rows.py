"""Audit records as index rows: the contract's columns, the chain checked from the stored tail."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from schemas.codec import AvroCodec
from schemas.samples import sample_event
from schemas.schema_source import InMemorySchemaSource
from services.audit.chain import EDITED, GENESIS, UNLINKED, seal_encoded
from services.audit.exceptions import RetentionScheduleError
from services.audit.index_rows import DECISION_COLUMNS, chain_rows, decode_all
from services.audit.retention_schedule import RECORD_CLASSES, RetentionRule, load_schedule
from services.bus.records import Incoming
from services.config.files import packaged_default


def _chain(count: int) -> tuple[AvroCodec, list[Incoming]]:
    codec = AvroCodec(InMemorySchemaSource())
    tail, records = GENESIS, []
    for offset in range(count):
        record = sample_event("DisclosureDecided")
        record["prev_hash"], record["hash"] = tail, ""
        sealed, tail = seal_encoded(codec.encode("DisclosureDecided", record))
        records.append(Incoming("audit.disclosures", 2, offset, None, sealed))
    return codec, records


class TestChainRows:
    def test_an_intact_chain_gives_one_row_per_record_and_its_tail(self):
        """Rows carry the contract's columns; the new tail is the last record's hash."""
        codec, records = _chain(3)
        decoded = decode_all(codec, records)

        result = chain_rows(2, decoded, None)

        assert result.breaks == []
        assert len(result.rows) == 3
        assert all(len(row) == len(DECISION_COLUMNS) for row in result.rows)
        assert result.rows[1][:2] == (2, 1)
        assert result.tail == decoded[-1].record["hash"]

    def test_a_wrong_stored_tail_is_an_unlinked_break(self):
        """Checked from a tail the first record does not name: a break at its offset."""
        codec, records = _chain(2)

        result = chain_rows(2, decode_all(codec, records), "f" * 64)

        assert [(b.offset, b.problem) for b in result.breaks] == [(0, UNLINKED)]
        assert len(result.rows) == 2

    def test_an_edited_record_is_still_a_row(self):
        """An edited record is a break and a row; an unreadable one a break and no row."""
        codec, records = _chain(2)
        edited = codec.decode(records[1].value)
        edited["reason"] = "changed"
        records[1] = Incoming(
            "audit.disclosures", 2, 1, None, codec.encode("DisclosureDecided", edited)
        )
        records.append(Incoming("audit.disclosures", 2, 2, None, b"not avro"))

        result = chain_rows(2, decode_all(codec, records), None)

        assert next((b.offset, b.problem) for b in result.breaks) == (1, EDITED)
        assert result.breaks[1].offset == 2
        assert result.breaks[1].problem.startswith("unreadable record")
        assert len(result.rows) == 2


class TestRetentionSchedule:
    def test_the_packaged_schedule_names_every_class_with_a_source(self):
        """The default keeps every class 25 years after the decision and cites where from."""
        schedule = load_schedule(packaged_default("audit-retention.yaml"))

        assert tuple(schedule) == RECORD_CLASSES
        assert {rule.keep_years for rule in schedule.values()} == {25}
        assert all("IRMS" in rule.source or "permits" in rule.source for rule in schedule.values())

    @pytest.mark.parametrize(
        ("text", "field"),
        [
            ("record_classes: {permit: {keep_years: 0, source: x}}", "record_classes"),
            (
                (
                    "record_classes: {permit: {keep_years: 0, source: x}, "
                    "override: {keep_years: 1, source: x}, deny: {keep_years: 1, source: x}}"
                ),
                "record_classes.permit.keep_years",
            ),
            (
                (
                    "record_classes: {permit: {keep_years: 1, source: ''}, "
                    "override: {keep_years: 1, source: x}, deny: {keep_years: 1, source: x}}"
                ),
                "record_classes.permit.source",
            ),
        ],
    )
    def test_a_bad_schedule_names_the_field(self, tmp_path: Path, text, field):
        """A missing class, a period under a year or no source: refused, naming the field."""
        path = tmp_path / "audit-retention.yaml"
        path.write_text(text, encoding="utf-8")

        with pytest.raises(RetentionScheduleError, match=field.replace(".", r"\.")):
            load_schedule(path)

    def test_the_cutoff_is_whole_years_before_now(self):
        """25 years before 29 February is 28 February of a year without one."""
        rule = RetentionRule("permit", 25, "test")

        assert rule.cutoff(datetime(2024, 2, 29, 9, tzinfo=UTC)) == datetime(
            1999, 2, 28, 9, tzinfo=UTC
        )
