"""How each register code counts, from the one code list (schemas/codes/attendance.yaml)."""

from __future__ import annotations

from schemas import codes
from services.thresholds.domain.register_codes import CodeTable, SessionCounting

ILLNESS_CODE = "I"  # DfE register code I: illness (not medical appointments)


def register_codes() -> CodeTable:
    """The rules' code table, built from the contract's attendance code list."""
    return CodeTable(
        {
            code: SessionCounting(
                counts_as_possible_session=entry.counts_as_possible_session,
                counts_as_absence=entry.counts_as_absence,
                unauthorised=entry.category == "unauthorised",
                illness=code == ILLNESS_CODE,
            )
            for code, entry in codes.attendance_codes().items()
        }
    )
