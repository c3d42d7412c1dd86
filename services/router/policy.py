"""The router's live view of policy: the agency directory plus the followed agreements."""

from __future__ import annotations

import asyncio
from typing import Protocol

from consent.domain.agency import AgencyDirectory
from consent.domain.agreement import SharingAgreement
from consent.index import PolicyIndex
from services.router.exceptions import RouterError, UnroutableEventError


class AgreementFollower(Protocol):
    """What LivePolicy needs of an agreement feed (adapters/agreements.py)."""

    ready: asyncio.Event

    async def run(self) -> None:
        """Follow the agreements topic until cancelled."""
        ...


class LivePolicy:
    """Decides with the newest agreements; swapped whole when agreements change."""

    def __init__(self, directory: AgencyDirectory) -> None:
        """Start with no agreements (every decision denies) until the feed catches up."""
        self._directory = directory
        self._kinds = {agency.id: agency.kind for agency in directory.agencies}
        self._index = PolicyIndex.compile([], directory)
        self._feed: AgreementFollower | None = None

    def attach(self, feed: AgreementFollower) -> None:
        """Follow agreements with `feed` (its `run` is started by the app)."""
        self._feed = feed

    @property
    def ready(self) -> asyncio.Event:
        """Set once the attached feed has caught up with the agreements topic."""
        if self._feed is None:
            raise RouterError("no agreement feed attached to the router's policy")
        return self._feed.ready

    async def follow(self) -> None:
        """Run the attached feed until cancelled."""
        if self._feed is None:
            raise RouterError("no agreement feed attached to the router's policy")
        await self._feed.run()

    def replace(self, agreements: list[SharingAgreement]) -> None:
        """Recompile from the newest version of every agreement."""
        self._index = PolicyIndex.compile(agreements, self._directory)

    @property
    def agency_ids(self) -> list[str]:
        """Every agency of the directory (each has an ingest topic the router reads)."""
        return [agency.id for agency in self._directory.agencies]

    @property
    def index(self) -> PolicyIndex:
        """The agreements in force now, compiled: read it once per event.

        The feed replaces it from the event loop's thread while the router
        decides in the loop's own; one read gives one consistent policy for
        the candidates, every decision and the version the audit cites.
        """
        return self._index

    @property
    def version(self) -> str:
        """The policy version every audit record cites."""
        return self._index.policy_version

    def kind_of(self, agency_id: str) -> str:
        """The kind of a publishing agency; UnroutableEventError for one not in the directory."""
        kind = self._kinds.get(agency_id)
        if kind is None:
            msg = f"source.agency: {agency_id!r} is not in the agency directory"
            raise UnroutableEventError(msg)
        return kind
