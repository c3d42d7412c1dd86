"""Routes for the oversight view: charts, the sharing map and the figures at a glance."""

# No `from __future__ import annotations`: FastAPI must resolve the route
# annotations, which use aliases local to the route factory.
from collections.abc import Callable
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from services.consent.entrypoints.audit_models import OversightSummary
from services.consent.entrypoints.audit_search import AUDIT_ERRORS, PICTURE_HEADERS
from services.consent.oversight_pictures import denies_chart, disclosures_chart
from services.consent.runtime import RuntimeSlot
from services.consent.sharing_map import sharing_map
from services.consent.users import User

MAX_DAYS: Final = 366
SVG: Final[dict[int | str, dict[str, Any]]] = {
    200: {"content": {"image/svg+xml": {}}, "description": "the picture (SVG)"}
}


def _svg(picture: str) -> Response:
    return Response(picture, media_type="image/svg+xml", headers=PICTURE_HEADERS)


def oversight_view_routes(slot: RuntimeSlot, overseer: Callable[..., User]) -> APIRouter:
    """Pictures and figures for auditors and IG leads."""
    routes = APIRouter(prefix="/v1/oversight", tags=["oversight"], responses=AUDIT_ERRORS)
    Overseer = Annotated[User, Depends(overseer)]  # noqa: N806 - a type alias, named like one
    Days = Annotated[int, Query(ge=1, le=MAX_DAYS, description="Days back from today")]  # noqa: N806

    @routes.get(
        "/charts/disclosures.svg",
        response_class=Response,
        responses=SVG,
        summary="Disclosures (permits) per agreement per day, as a line chart",
    )
    async def disclosures(_: Overseer, days: Days = 30) -> Response:
        runtime = slot.get()
        now = runtime.service.clock()
        counts = await runtime.index.figures.disclosures_per_agreement(days, now)
        return _svg(disclosures_chart(counts, days, now.date()))

    @routes.get(
        "/charts/denies.svg",
        response_class=Response,
        responses=SVG,
        summary="Denies by reason, as a bar chart",
    )
    async def denies(_: Overseer, days: Days = 30) -> Response:
        runtime = slot.get()
        reasons = await runtime.index.figures.denies_by_reason(days, runtime.service.clock())
        return _svg(denies_chart(reasons, days))

    @routes.get(
        "/sharing-map.svg",
        response_class=Response,
        responses=SVG,
        summary="Which providers share which event types with which recipients, under the "
        "agreements in force now",
    )
    async def sharing(_: Overseer) -> Response:
        service = slot.get().service
        agreements = service.state.latest_agreements()
        return _svg(sharing_map(agreements, service.directory, service.clock()))

    @routes.get("/summary", summary="Unreviewed overrides, and the audit chain breaks found")
    async def summary(_: Overseer) -> OversightSummary:
        index = slot.get().index
        return OversightSummary.model_validate(
            {
                "unreviewed_overrides": await index.reviews.unreviewed(),
                "chain_breaks": await index.figures.chain_breaks(),
            }
        )

    return routes
