from datetime import UTC, datetime, timedelta

import pytest
from gateway_rig import NHS_NUMBER, UPN

from services.cli.importer import write_rejected
from services.sdk.attendance_csv import read_register
from services.sdk.identity import IdentityClient
from services.sdk.importing import AttendanceImporter
from services.sdk.sinks import GatewaySink

pytestmark = pytest.mark.integration

YESTERDAY = (datetime.now(UTC) - timedelta(days=1)).date()
FUTURE = (datetime.now(UTC) + timedelta(days=3)).date()


def register() -> str:
    rows = [
        "upn,nhs_number,date,session,code,minutes_late",
        f"{UPN},,{YESTERDAY.isoformat()},AM,N,",
        f",{NHS_NUMBER},{YESTERDAY:%d/%m/%Y},PM,L,12",
        f"{UPN},,{YESTERDAY.isoformat()},AM,ZZ,",
        f"B123456789012,,{YESTERDAY.isoformat()},AM,N,",
        f"{UPN},,{FUTURE.isoformat()},AM,N,",
        f"{UPN},,{YESTERDAY.isoformat()},XX,N,",
    ]
    return "\n".join(rows) + "\n"


async def _import(gateway, text):
    token = f"dev-token-{gateway.agency}"
    identity = IdentityClient("http://gateway", token, agency=gateway.agency, client=gateway.client)
    importer = AttendanceImporter(gateway.agency, GatewaySink(gateway.client, token), identity)
    done = []
    header, rows = read_register(text.splitlines())
    return header, await importer.run(rows, done.append), done


class TestAttendanceImport:
    async def test_imports_good_rows_and_reports_each_bad_one(self, gateway, tmp_path):
        """Good rows are published; each bad row is reported with row, field and rule."""
        text = register()
        header, summary, done = await _import(gateway, text)
        assert summary.accepted == 2
        assert [(p.row, p.field) for p in summary.rejected] == [
            (4, "code"),
            (5, "upn"),
            (6, "date"),
            (7, "session"),
        ]
        assert sum(done) == 6
        assert len(await gateway.events()) == 2
        source = tmp_path / "register.csv"
        source.write_text(text)
        rejected = write_rejected(source, header, summary).read_text().splitlines()
        assert len(rejected) == 5
        assert rejected[0].endswith("row,rejected_field,rejected_rule")
        assert rejected[1].startswith(f"{UPN},,")
        assert ",4,code," in rejected[1]

    async def test_importing_twice_stores_each_mark_once(self, gateway):
        """Event ids derive from the mark, so a re-import adds nothing to the topic."""
        text = register()
        await _import(gateway, text)
        await _import(gateway, text)
        assert len(await gateway.records(gateway.topic)) == 2
