"""HTTP routes of the referral loop: a referrer's referrals and disagreements, the partnership.

Routes only translate HTTP into the use cases of `services.alerts.referral_handlers`.
Errors answer as the rest of the alerts service does (entrypoints/web.py): one
sentence, 401/403/404, 409 for a disagreement that cannot be raised, 503 with
Retry-After when the bus does not confirm the write in time.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from services.alerts import referral_handlers as handlers
from services.alerts.entrypoints import referral_pages
from services.alerts.entrypoints.auth import Authenticator
from services.alerts.exceptions import UnauthenticatedError


def add_referral_routes(
    app: FastAPI,
    auth: Authenticator,
    ctx: handlers.ReferralsContext,
    errors: dict[int | str, dict[str, Any]],
) -> None:
    """Add the referral and partnership routes; `errors`: the documented error responses."""

    def user(request: Request) -> Any:
        return auth.user_of(request, request.method)

    @app.get("/api/referrals", responses=errors)
    async def referrals(request: Request) -> dict[str, Any]:
        who = user(request)
        listed = handlers.list_referrals(ctx, who)
        return {"agency": who.agency, "referrals": [r.as_json() for r in listed]}

    @app.get("/api/referrals/{referral_id}", responses=errors)
    async def referral(request: Request, referral_id: str) -> dict[str, Any]:
        return handlers.find_referral(ctx, user(request), referral_id).as_json()

    @app.post("/api/referrals/{referral_id}/disagreement", responses=errors)
    async def disagree(request: Request, referral_id: str) -> dict[str, Any]:
        changed = await handlers.raise_disagreement(ctx, user(request), referral_id)
        return {"referral": changed.as_json(), "row": referral_pages.referral_row(changed)}

    @app.get("/partnership", response_class=HTMLResponse, response_model=None)
    async def partnership(request: Request) -> Response:
        try:
            who = user(request)
        except UnauthenticatedError:
            return RedirectResponse("/signin", status_code=303)
        figures = handlers.partnership_figures(ctx, who)
        return HTMLResponse(referral_pages.partnership_page(who, figures))

    @app.get("/partnership/api/figures", responses=errors)
    async def figures(request: Request) -> dict[str, Any]:
        return handlers.partnership_figures(ctx, user(request)).as_json()
