"""What the audit query tests share: the test users' tokens, and walking every page."""

from __future__ import annotations

import httpx

TOKENS = {
    "officer": "test-officer",
    "auditor": "test-auditor",
    "ig-lead": "test-ig-lead",
}
ROLES = {"officer": "consent-officer", "auditor": "auditor", "ig-lead": "ig-lead"}


def bearer(who: str) -> dict[str, str]:
    """The Authorization header of the test user `who` (officer, auditor, ig-lead)."""
    return {"Authorization": f"Bearer {TOKENS[who]}"}


async def every_page(http: httpx.AsyncClient, params: dict, limit: int, who: str = "auditor"):
    """Walk /v1/audit/decisions page by page; the rows in order and the page count."""
    rows, pages, cursor = [], 0, None
    while True:
        query = {**params, "limit": limit, **({"cursor": cursor} if cursor else {})}
        answer = await http.get("/v1/audit/decisions", params=query, headers=bearer(who))
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["count"] == len(body["decisions"]) <= limit
        rows.extend(body["decisions"])
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return rows, pages
