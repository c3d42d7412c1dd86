"""Alert severity: the AlertRaised contract's words, in order, and escalation."""

from schemas.catalogue import Catalogue
from schemas.severity import SEVERITIES, escalated


def _enum_symbols(event_type, field_name):
    fields = Catalogue.load().definition(event_type)["fields"]
    (field,) = [f for f in fields if f["name"] == field_name]
    return tuple(field["type"]["symbols"])


class TestSeverities:
    def test_words_are_the_alert_raised_enum_in_order(self):
        """The severities are exactly the AlertRaised schema's enum symbols, in its order."""
        assert _enum_symbols("AlertRaised", "severity") == SEVERITIES

    def test_escalation_steps_up_one_and_stops_at_the_top(self):
        """low -> medium -> high -> critical -> critical."""
        assert [escalated(s) for s in SEVERITIES] == ["medium", "high", "critical", "critical"]
