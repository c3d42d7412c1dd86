from datetime import UTC, date, datetime

from services.sdk.attendance_csv import RegisterRow, RowProblem
from services.sdk.importing import AttendanceImporter, attendance_event, mark_event_id

NOW = datetime(2025, 3, 5, 10, 30, 0, 123456, tzinfo=UTC)
CHILD = "cr1_" + "b" * 32


def mark(row=2, code="N", day=date(2025, 3, 4), child_ref=CHILD) -> RegisterRow:
    return RegisterRow(row, (), child_ref, day, "AM", code, None, None, {})


class FakeSink:
    def __init__(self, refuse=()):
        self.batches = []
        self.refuse = set(refuse)

    async def send(self, events):
        self.batches.append(list(events))
        return [(i, "code", "refused") for i in range(len(events)) if i in self.refuse]


class TestAttendanceEvent:
    def test_builds_a_valid_attendance_marked(self):
        """A row becomes an AttendanceMarked from the importing agency, times in whole millis."""
        event = attendance_event(mark(), CHILD, "school-100001", "sims", NOW)
        assert event.school == "school-100001"
        assert event.recorded_at.microsecond == 123000
        assert event.occurred_at == datetime(2025, 3, 4, 9, tzinfo=UTC)

    def test_event_id_is_stable_per_mark(self):
        """The same mark gets the same id; a corrected code gets a new one."""
        assert mark_event_id("s", CHILD, mark()) == mark_event_id("s", CHILD, mark())
        assert mark_event_id("s", CHILD, mark()) != mark_event_id("s", CHILD, mark(code="L"))


class TestAttendanceImporter:
    async def test_sends_in_batches_and_counts(self):
        """Rows are sent in batches of batch_size and counted as accepted."""
        sink = FakeSink()
        importer = AttendanceImporter("school-100001", sink, None, batch_size=2)
        summary = await importer.run([mark(row=n) for n in range(2, 7)])
        assert [len(batch) for batch in sink.batches] == [2, 2, 1]
        assert (summary.accepted, summary.rejected) == (5, [])

    async def test_keeps_every_rejected_row(self):
        """Read problems, local validation failures and sink refusals are all reported by row."""
        sink = FakeSink(refuse={0})
        importer = AttendanceImporter("school-100001", sink, None)
        summary = await importer.run(
            [RowProblem(2, "date", "bad"), mark(row=3), mark(row=4, code="ZZ"), mark(row=5)]
        )
        assert [(p.row, p.field) for p in summary.rejected] == [
            (2, "date"),
            (3, "code"),
            (4, "code"),
        ]
        assert summary.accepted == 1

    async def test_identifiers_without_identity_client_are_rejected(self):
        """A row with identifiers only cannot be imported without the identity endpoint."""
        row = RegisterRow(
            2, (("upn", "A123456789012"),), None, date(2025, 3, 4), "AM", "N", None, None, {}
        )
        summary = await AttendanceImporter("school-100001", FakeSink(), None).run([row])
        assert summary.rejected[0].field == "upn"
