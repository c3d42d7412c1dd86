import datetime as dt

from services.alerts.domain.model import Alert
from services.alerts.entrypoints.auth import Sessions
from services.alerts.entrypoints.pages import alert_row, board_page
from services.alerts.entrypoints.tail import tail_line


class TestSessions:
    def test_open_session_finds_user(self, manager, now):
        """A session cookie maps back to its user."""
        sessions = Sessions(dt.timedelta(hours=1), lambda: now)
        assert sessions.user(sessions.open(manager)) == manager

    def test_expired_session_is_forgotten(self, manager, now):
        """A session past its lifetime signs nobody in."""
        clock = [now]
        sessions = Sessions(dt.timedelta(hours=1), lambda: clock[0])
        token = sessions.open(manager)
        clock[0] = now + dt.timedelta(hours=2)
        assert sessions.user(token) is None

    def test_closed_session_is_gone(self, manager, now):
        """Signing out ends the session."""
        sessions = Sessions(dt.timedelta(hours=1), lambda: now)
        token = sessions.open(manager)
        sessions.close(token)
        assert sessions.user(token) is None


class TestPages:
    def test_row_escapes_view_content(self, make_alert, manager, now):
        """Markup in a summary is shown as text, never run."""
        alert = Alert.from_disclosed(make_alert(summary="<script>alert(1)</script>"))
        row = alert_row(alert, manager, now)
        assert "<script>" not in row
        assert "&lt;script&gt;" in row

    def test_worker_gets_no_assign_form(self, make_alert, worker, manager, now):
        """Only duty managers see the assign form."""
        alert = Alert.from_disclosed(make_alert())
        assert "Assign to" not in alert_row(alert, worker, now)
        assert "Assign to" in alert_row(alert, manager, now)

    def test_board_labels_the_table(self, manager, now):
        """The board page has a captioned table and an empty-state message."""
        page = board_page(manager, [], now)
        assert "<caption" in page
        assert "No alerts for your agency yet." in page


class TestTailLine:
    def test_one_line_per_alert(self, make_alert):
        """Time, severity, rule, child_ref and summary on one line."""
        alert = Alert.from_disclosed(make_alert(summary="Ten-day return", severity="high"))
        line = tail_line(alert)
        assert "\n" not in line
        assert " high " in line
        assert alert.child_ref in line
        assert line.endswith("Ten-day return")
