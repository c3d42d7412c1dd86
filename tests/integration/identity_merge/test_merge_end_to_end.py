"""One child known by UPN at school and by NHS number to social care, joined by a steward.

Through the real gateway, consent service, router and thresholds worker on the
real broker: before the merge the school's absences and the social-care plan
live under two child_refs (no plan-absence alert, the plan-gated attendance
agreement denies), and an event naming both identifiers is refused. The
steward merges the NHS number's ref into the UPN's; the plan is handed over,
the next absence alerts and is disclosed under the survivor, and the event
naming both identifiers is accepted under it. The unmerge sends the NHS
number's new events to its own ref again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time

import pytest
from merge_rig import (
    NHS_NUMBER,
    PLAN_RULE,
    STEWARD,
    UPN,
    World,
    agreement_in_force,
    attendance,
    identified,
    merge_world,
    plan_started,
)

from schemas.samples import sample_event
from services.bus import topics
from services.thresholds.domain.calendar import load_calendar

pytestmark = pytest.mark.integration


def school_days_before(today: dt.date, count: int) -> list[dt.date]:
    """The last `count` school days before `today`, oldest first (the register is in the past)."""
    calendar, found, day = load_calendar(), [], today
    while len(found) < count:
        day -= dt.timedelta(days=1)
        assert (today - day).days < 120, "the school calendar has no recent school days"
        if calendar.is_school_day(day):
            found.append(day)
    return sorted(found)


async def eventually(check, what: str, seconds: float = 30):
    """Poll the coroutine function `check` until it returns something truthy."""
    deadline = time.monotonic() + seconds
    while not (found := await check()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.3)
    return found


def cp_attendance_agreement(school: str, social: str) -> dict:
    return {
        "id": "isa-cp-attendance",
        "title": "Attendance of children on child-protection plans to their social worker",
        "provider": {"agency": school},
        "recipient": {"agency": social},
        "event_types": ["AttendanceMarked"],
        "data_classes": ["operational", "special-category"],
        "purpose": "safeguarding",
        "legal_basis": "public-task-ca1989-s47",
        "conditions": ["child-has-active-cp-plan"],
        "valid_from": "2025-09-01T00:00:00Z",
    }


async def decisions_about(world: World, event_id: str) -> list[dict]:
    audit = await world.events(world.names.consent.audit)
    return [a for a in audit if a["subject_event_id"] == event_id]


class TestUpnThenNhsNumber:
    async def test_a_stewards_merge_joins_the_child_and_an_unmerge_parts_it_again(
        self, bus_settings, audit_db_url, tmp_path
    ):
        """Plan under one ref, absences under the other: alert and disclosure only once merged."""
        first, second, third = school_days_before(dt.datetime.now(dt.UTC).date(), 3)
        async with merge_world(bus_settings, audit_db_url, tmp_path) as world:
            names = world.names
            school, social = names.school, names.social
            await agreement_in_force(world, cp_attendance_agreement(school, social))
            by_upn = await world.resolve(school, "upn", UPN)
            by_nhs = await world.resolve(social, "nhs_number", NHS_NUMBER)
            assert by_upn != by_nhs

            plan = plan_started(social, first)
            assert (
                await world.post(social, identified(plan, ("nhs_number", NHS_NUMBER)))
            ).status_code == 202
            absent = attendance(school, first)
            assert (await world.post(school, identified(absent, ("upn", UPN)))).status_code == 202
            await world.processed(router=2, thresholds=2)
            assert PLAN_RULE not in {a["rule_id"] for a in await world.events(names.router.alerts)}
            # No plan under the UPN's ref: social care is not even asked about the absence.
            assert await decisions_about(world, str(absent["event_id"])) == []

            both = identified(
                attendance(school, second, code="/"), ("upn", UPN), ("nhs_number", NHS_NUMBER)
            )
            refused = await world.post(school, both)
            assert refused.status_code == 422
            assert "merge needs a practitioner's decision" in refused.text

            merged = await world.consent.post(
                "/v1/identity/merges",
                json={
                    "surviving_child_ref": by_upn,
                    "absorbed_child_ref": by_nhs,
                    "reason": "Same date of birth and address; confirmed with the school",
                },
                headers=STEWARD,
            )
            assert merged.status_code == 201, merged.text
            merge_id = merged.json()["merge_id"]
            await world.relinked(social, "nhs_number", NHS_NUMBER, by_upn)
            await world.processed(router=4, thresholds=4)  # the decision and the hand-over

            absent_again = attendance(school, third)
            assert (
                await world.post(school, identified(absent_again, ("upn", UPN)))
            ).status_code == 202

            async def plan_alerts() -> list[dict]:
                return [
                    a for a in await world.events(names.router.alerts) if a["rule_id"] == PLAN_RULE
                ]

            [alert] = await eventually(plan_alerts, "the plan-absence alert")
            assert alert["child_ref"] == by_upn
            assert str(absent_again["event_id"]) in {str(e) for e in alert["evidence_event_ids"]}

            async def disclosed() -> list[dict]:
                return await world.events(topics.view(social))

            views = await eventually(disclosed, "the disclosure to social care")
            assert [(str(v["event_id"]), v["child_ref"]) for v in views] == [
                (str(absent_again["event_id"]), by_upn)
            ]

            accepted = await world.post(school, both)
            assert accepted.status_code == 202, accepted.text
            ingested = await world.events(topics.ingest(school))
            assert {e["child_ref"] for e in ingested if str(e["event_id"]) == both["event_id"]} == {
                by_upn
            }

            unmerged = await world.consent.post(
                f"/v1/identity/merges/{merge_id}/unmerge",
                json={"reason": "Twins: two children after all"},
                headers=STEWARD,
            )
            assert unmerged.status_code == 200, unmerged.text
            assert unmerged.json()["status"] == "unmerged"
            await world.relinked(social, "nhs_number", NHS_NUMBER, by_nhs)
            concern = sample_event("ConcernRaised")
            concern["source"] = {**concern["source"], "agency": social}
            answer = await world.post(social, identified(concern, ("nhs_number", NHS_NUMBER)))
            assert answer.status_code == 202, answer.text
            ingested = await world.events(topics.ingest(social))
            assert [e["child_ref"] for e in ingested if e["event_id"] == concern["event_id"]] == [
                by_nhs
            ]
            again = identified(
                attendance(school, second, code="B"), ("upn", UPN), ("nhs_number", NHS_NUMBER)
            )
            assert (await world.post(school, again)).status_code == 422

            listed = await world.consent.get(
                "/v1/identity/merges", params={"child_ref": by_nhs}, headers=STEWARD
            )
            assert [(m["merge_id"], m["status"]) for m in listed.json()] == [(merge_id, "unmerged")]
            decisions = await world.events(names.merges)
            assert [(d["event_type"], d["child_ref"]) for d in decisions] == [
                ("ChildRefsMerged", by_nhs),
                ("ChildRefsUnmerged", by_nhs),
            ]
