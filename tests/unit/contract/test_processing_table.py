"""The table of what the processors read of each event type, against the catalogue."""

from schemas.catalogue import Catalogue
from schemas.layout import ENVELOPE
from schemas.processing import ENVELOPE_ONLY, PLANS, PROCESSING


def _schema_fields(catalogue, event_type):
    return {f["name"] for f in catalogue.definition(event_type)["fields"]}


class TestProcessingTable:
    def test_every_event_type_has_a_row_or_is_envelope_only(self):
        """Each catalogue event type is in the table or listed as read by its envelope only."""
        catalogue = Catalogue.load()
        unlisted = set(catalogue.event_types) - set(PROCESSING) - ENVELOPE_ONLY
        assert unlisted == set()

    def test_no_event_type_is_both_read_and_envelope_only(self):
        """An event type is in the table or in ENVELOPE_ONLY, never both."""
        assert set(PROCESSING) & ENVELOPE_ONLY == set()

    def test_table_names_only_catalogue_event_types(self):
        """A row or an envelope-only name for a type the catalogue lacks is a typo."""
        catalogue = Catalogue.load()
        assert (set(PROCESSING) | ENVELOPE_ONLY) - set(catalogue.event_types) == set()

    def test_every_field_a_row_names_is_in_its_schema(self):
        """A renamed field fails here, not in production."""
        catalogue = Catalogue.load()
        missing = {
            (event_type, name)
            for event_type, row in PROCESSING.items()
            for name in row.fields.values()
            if name not in _schema_fields(catalogue, event_type)
        }
        assert missing == set()

    def test_rows_read_fields_beyond_the_envelope(self):
        """Rows name an event's own fields; the envelope is read the same for every type."""
        named = {name for row in PROCESSING.values() for name in row.fields.values()}
        assert named & set(ENVELOPE) == set()

    def test_a_roll_row_names_its_school_and_a_lead_row_its_agency(self):
        """The router reads the school of a roll change and the agency of a lead professional."""
        for row in PROCESSING.values():
            if row.fact == "roll":
                assert "school" in row.fields
            if row.fact == "lead-professional":
                assert "agency" in row.fields

    def test_plans_start_and_end(self):
        """Every plan kind has an event that starts it and one that ends it."""
        changes = {(row.fact, row.starts) for row in PROCESSING.values()}
        assert {(plan, starts) for plan in PLANS for starts in (True, False)} <= changes
