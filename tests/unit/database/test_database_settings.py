"""DatabaseSettings: where the data lives, the conninfo, and what is refused."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from services.database.exceptions import DatabasePortError, MissingToolError
from services.database.local import check_port
from services.database.partitions import month_of_partition, next_month, partition_name
from services.database.server_files import find_binaries
from services.database.settings import DatabaseSettings, describe_conninfo


class TestDatabaseSettings:
    def test_an_external_url_is_used_as_given_and_described_without_password(self):
        """JOINEDUP_DATABASE_URL: url() is it; describe() drops user and password."""
        settings = DatabaseSettings(
            database_url=SecretStr("postgresql://auditor:s3cret@db.example:6432/audit")
        )

        assert not settings.uses_local_server
        assert settings.url() == "postgresql://auditor:s3cret@db.example:6432/audit"
        assert settings.describe() == "postgresql://db.example:6432/audit"
        assert "s3cret" not in repr(settings)

    def test_another_database_on_the_external_server(self):
        """url(name) keeps the server and credentials, changes the database."""
        settings = DatabaseSettings(database_url=SecretStr("postgresql://u:p@h:5432/audit"))

        assert "dbname=test_1" in settings.url("test_1")
        assert "password=p" in settings.url("test_1")

    def test_the_local_conninfo_reads_the_password_file(self, tmp_path: Path):
        """The local server's conninfo: loopback, the port, the generated password."""
        settings = DatabaseSettings(db_data_dir=tmp_path / "db", db_port=15999)
        settings.password_file.write_text("generated\n", encoding="utf-8")

        assert settings.password_file == tmp_path / "db.password"
        assert settings.url() == (
            "host=127.0.0.1 port=15999 user=postgres password=generated dbname=joinedup"
        )
        assert settings.describe() == "postgresql://127.0.0.1:15999/joinedup"

    @pytest.mark.parametrize(
        ("field", "value"), [("db_os_user", "Root User"), ("db_name", "audit; drop")]
    )
    def test_bad_names_are_refused_naming_the_setting(self, field, value):
        """An OS user or database name that is not a plain name is refused, naming it."""
        with pytest.raises(ValidationError, match=f"JOINEDUP_{field.upper()}"):
            DatabaseSettings(**{field: value})

    def test_an_unparsable_conninfo_is_described_without_its_content(self):
        """describe_conninfo never echoes what it could not parse."""
        assert describe_conninfo("host='unterminated password=x") == (
            "postgresql://(unparsable conninfo)"
        )


class TestLocalServerRules:
    def test_a_port_in_the_ephemeral_range_is_refused(self):
        """JOINEDUP_DB_PORT inside the ephemeral range: refused with the range named."""
        with pytest.raises(DatabasePortError, match="32768-60999"):
            check_port(40000, (32768, 60999))
        check_port(15432, (32768, 60999))

    def test_missing_binaries_name_the_make_target(self, tmp_path: Path):
        """No /usr/lib/postgresql/<n>/bin: the error says `make db-deps`."""
        with pytest.raises(MissingToolError, match="make db-deps"):
            find_binaries(tmp_path)

    def test_the_newest_installed_major_version_is_used(self, tmp_path: Path):
        """Of several installed versions the newest wins."""
        for version in ("13", "16"):
            folder = tmp_path / version / "bin"
            folder.mkdir(parents=True)
            for tool in ("initdb", "pg_ctl", "postgres"):
                (folder / tool).touch()

        assert find_binaries(tmp_path).version == 16


class TestMonthPartitions:
    def test_names_and_months_round_trip(self):
        """audit_decision_yYYYYmMM names a month, December rolls into January."""
        assert partition_name(date(2025, 12, 31)) == "audit_decision_y2025m12"
        assert month_of_partition("audit_decision_y2025m12") == date(2025, 12, 1)
        assert month_of_partition("audit_decision_default") is None
        assert next_month(date(2025, 12, 1)) == date(2026, 1, 1)
