"""The router's live view of policy: the agency directory plus the followed agreements."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from consent.decision import decide_disclosure
from consent.domain.agency import Agency, AgencyDirectory
from consent.domain.agreement import SharingAgreement
from consent.domain.child import ChildState
from consent.domain.disclosure import Deny, Permit
from consent.domain.event import EventFacts
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

    def candidates(self, facts: EventFacts, state: ChildState) -> Sequence[Agency]:
        """Recipients to decide for (see PolicyIndex.candidate_recipients)."""
        return self._index.candidate_recipients(facts, state)

    def decide(
        self, facts: EventFacts, recipient: Agency, state: ChildState, at: datetime
    ) -> Permit | Deny:
        """Decide with the current index."""
        return decide_disclosure(facts, recipient, state, self._index, at)
