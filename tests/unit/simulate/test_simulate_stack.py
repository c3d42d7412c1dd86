"""The synthetic authority's configuration: its schools beside the deployment's other agencies."""

import hashlib

import yaml

from services.bus.settings import BusSettings
from services.simulate.authority import School
from services.simulate.stack import agency_topics, token_of, write_config

SCHOOLS = [School("school-900001", "Simulated Primary School 1", "primary")]


class TestConfiguration:
    def test_the_schools_replace_the_demo_schools(self, tmp_path):
        """agencies.yaml lists the simulated schools and every agency that is not a school."""
        directory = write_config(BusSettings(config_dir=None), SCHOOLS, tmp_path)
        agencies = yaml.safe_load((tmp_path / "agencies.yaml").read_text())["agencies"]
        ids = [a["id"] for a in agencies]
        assert "school-900001" in ids
        assert "school-100001" not in ids
        assert {"la-social-care", "police-west", "health-trust", "la-education"} <= set(ids)
        assert directory.kinds["school-900001"] == "school"
        assert directory.agencies.police == "police-west"

    def test_each_school_publishes_with_its_development_token(self, tmp_path):
        """publishers.yaml holds the digest of dev-token-<school>, never the token."""
        write_config(BusSettings(config_dir=None), SCHOOLS, tmp_path)
        text = (tmp_path / "publishers.yaml").read_text()
        publishers = {p["agency"]: p["token_sha256"] for p in yaml.safe_load(text)["publishers"]}
        digest = hashlib.sha256(token_of("school-900001").encode()).hexdigest()
        assert publishers["school-900001"] == digest
        assert token_of("school-900001") not in text
        assert "police-west" in publishers

    def test_a_deployments_other_files_are_kept(self, tmp_path):
        """The deployment's own calendar (or any other file) goes with the simulation."""
        deployment = tmp_path / "deployment"
        deployment.mkdir()
        (deployment / "school-calendar.yaml").write_text("# the LA's own\n")
        settings = BusSettings(config_dir=deployment)
        write_config(settings, SCHOOLS, tmp_path / "simulation")
        kept = (tmp_path / "simulation" / "school-calendar.yaml").read_text()
        assert kept == "# the LA's own\n"

    def test_each_school_has_its_topics(self):
        """Ingest, view and dead letters of each simulated agency."""
        assert agency_topics(["school-900001"]) == [
            "ingest.school-900001",
            "view.school-900001",
            "deadletter.school-900001",
        ]
