"""Routes for sharing agreements: list, read, create, version (PUT), retire."""

# No `from __future__ import annotations`: FastAPI must resolve the route
# annotations, which use aliases local to the route factory.
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends

from consent.domain.agreement import SharingAgreement
from services.consent import handlers
from services.consent.commands import CreateAgreement, VersionAgreement
from services.consent.exceptions import NotFoundError
from services.consent.runtime import RuntimeSlot
from services.consent.users import User

ERRORS: dict[int | str, dict[str, str]] = {
    400: {"description": "the body is not JSON"},
    401: {"description": "no or unknown bearer token"},
    403: {"description": "the role may not do this"},
    404: {"description": "no such agreement"},
    409: {"description": "conflicts with the current version"},
    413: {"description": "the body is over 256 KiB"},
    422: {"description": "a field breaks a rule: {error, field, rule}"},
}


def agreement_routes(
    slot: RuntimeSlot, officer: Callable[..., User], reader: Callable[..., User]
) -> APIRouter:
    """The agreement routes; writes need the consent-officer role."""
    routes = APIRouter(prefix="/v1/agreements", tags=["agreements"], responses=ERRORS)
    Officer = Annotated[User, Depends(officer)]  # noqa: N806 - a type alias, named like one
    Reader = Annotated[User, Depends(reader)]  # noqa: N806

    @routes.get("", summary="The newest version of every agreement (retired ones too)")
    async def list_agreements(_: Reader) -> list[SharingAgreement]:
        return slot.get().service.state.latest_agreements()

    @routes.get("/{agreement_id}", summary="The newest version of one agreement")
    async def get_agreement(agreement_id: str, _: Reader) -> SharingAgreement:
        agreement = slot.get().service.state.agreement(agreement_id)
        if agreement is None:
            raise NotFoundError("agreement_id", f"no agreement {agreement_id!r}")
        return agreement

    @routes.get("/{agreement_id}/versions", summary="Every known version, oldest first")
    async def agreement_versions(agreement_id: str, _: Reader) -> list[SharingAgreement]:
        versions = slot.get().service.state.history(agreement_id)
        if not versions:
            raise NotFoundError("agreement_id", f"no agreement {agreement_id!r}")
        return versions

    @routes.post("", status_code=201, summary="Create an agreement (version 1)")
    async def create_agreement(command: CreateAgreement, _: Officer) -> SharingAgreement:
        return await handlers.create_agreement(slot.get().service, command)

    @routes.put("/{agreement_id}", summary="Publish the next version of an agreement")
    async def version_agreement(
        agreement_id: str, command: VersionAgreement, _: Officer
    ) -> SharingAgreement:
        return await handlers.version_agreement(
            slot.get().service, agreement_id, command, command.based_on_version
        )

    @routes.post("/{agreement_id}/retire", summary="Retire an agreement (a new, retired version)")
    async def retire_agreement(
        agreement_id: str, _: Officer, based_on_version: int | None = None
    ) -> SharingAgreement:
        return await handlers.retire_agreement(slot.get().service, agreement_id, based_on_version)

    return routes
