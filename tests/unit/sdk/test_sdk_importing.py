from datetime import UTC, date, datetime, timedelta

from services.sdk.attendance_csv import RegisterRow, RowProblem
from services.sdk.importing import AttendanceImporter, attendance_event, mark_event_id

NOW = datetime(2025, 3, 5, 10, 30, 0, 123456, tzinfo=UTC)
CHILD = "cr1_" + "b" * 32


def mark(row=2, code="N", day=date(2025, 3, 4), child_ref=CHILD, school=None) -> RegisterRow:
    return RegisterRow(row, (), child_ref, day, "AM", code, None, school, {})


class FakeSink:
    def __init__(self, refuse=()):
        self.batches = []
        self.refuse = set(refuse)

    async def send(self, events):
        self.batches.append(list(events))
        return [(i, "code", "refused") for i in range(len(events)) if i in self.refuse]


class TestAttendanceEvent:
    def test_builds_a_valid_attendance_marked(self):
        """A row becomes an AttendanceMarked from the importing agency, at the session's time."""
        event = attendance_event(mark(), CHILD, "school-100001", "sims", NOW)
        assert event.school == "school-100001"
        assert event.occurred_at == event.recorded_at == datetime(2025, 3, 4, 9, tzinfo=UTC)

    def test_a_session_later_today_is_marked_now_in_whole_millis(self):
        """A mark for a session not yet begun is stamped with the import's time (millis)."""
        afternoon = RegisterRow(2, (), CHILD, NOW.date(), "PM", "N", None, None, {})
        event = attendance_event(afternoon, CHILD, "school-100001", "sims", NOW)
        assert event.recorded_at == NOW.replace(microsecond=123000)

    def test_the_same_row_imported_later_is_the_same_event(self):
        """Nothing in the event depends on when it is imported, so a re-import is a duplicate."""
        first = attendance_event(mark(), CHILD, "school-100001", "sims", NOW)
        later = attendance_event(mark(), CHILD, "school-100001", "sims", NOW + timedelta(days=9))
        assert later == first

    def test_event_id_is_stable_per_mark(self):
        """The same mark gets the same id; a corrected code or lateness gets a new one."""
        late = RegisterRow(2, (), CHILD, date(2025, 3, 4), "AM", "N", 12, None, {})
        assert mark_event_id("a", "s", CHILD, mark()) == mark_event_id("a", "s", CHILD, mark())
        assert mark_event_id("a", "s", CHILD, mark()) != mark_event_id(
            "a", "s", CHILD, mark(code="L")
        )
        assert mark_event_id("a", "s", CHILD, mark()) != mark_event_id("a", "s", CHILD, late)

    def test_event_ids_are_the_importing_agencys_own(self):
        """Two agencies importing the same mark, school column and all, never share an id."""
        row = mark(school="school-100002")
        from_a = attendance_event(row, CHILD, "school-100001", "sims", NOW)
        from_b = attendance_event(row, CHILD, "school-100002", "sims", NOW)
        assert from_a.event_id != from_b.event_id


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

    async def test_a_row_for_another_schools_register_is_rejected(self):
        """The school column must be the importing school: another school's row is refused."""
        sink = FakeSink()
        summary = await AttendanceImporter("school-100001", sink, None).run(
            [mark(row=2, school="school-100002"), mark(row=3)]
        )
        assert [(p.row, p.field) for p in summary.rejected] == [(2, "school")]
        assert summary.accepted == 1
