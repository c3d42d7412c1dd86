import pytest

from services.gateway.adapters.identity_links import IdentityStage
from services.gateway.exceptions import UnavailableError
from services.identity.domain.child_ref import ChildRefKey, ChildRefKeyring
from services.identity.domain.links import IdentityIndex
from services.identity.handlers import IdentityResolver

UPN = "A123456789012"
NHS_NUMBER = "9434765919"


class FlakyLinkLog:
    """Refuses its first `refusals` writes as an unavailable broker would; records the rest."""

    def __init__(self, refusals: int):
        self.refusals = refusals
        self.written: list[list[str]] = []

    async def write(self, links):
        if self.refusals:
            self.refusals -= 1
            raise UnavailableError("the broker is unreachable", 5)
        self.written.append([link["identifier_kind"] for link in links])


def stage(links) -> IdentityStage:
    keyring = ChildRefKeyring([ChildRefKey(1, b"k" * 32)])
    return IdentityStage(IdentityResolver(keyring, IdentityIndex(keyring)), links)


class TestUnwrittenLinks:
    async def test_a_link_the_broker_refused_is_written_before_the_next_answer(self):
        """No child_ref is handed out on a link that is not on identity.links."""
        links = FlakyLinkLog(refusals=1)
        identity = stage(links)
        pair = [("upn", UPN), ("nhs_number", NHS_NUMBER)]
        with pytest.raises(UnavailableError):
            await identity.resolve(pair, "school-100001")
        child_ref = await identity.resolve([("upn", UPN)], "school-100001")
        assert links.written == [["upn", "nhs_number"]]
        assert child_ref == await identity.resolve([("nhs_number", NHS_NUMBER)], "school-100001")

    async def test_while_the_broker_refuses_nothing_is_answered(self):
        """Links still unwritten keep every resolution waiting: 503 again, not a child_ref."""
        links = FlakyLinkLog(refusals=2)
        identity = stage(links)
        for _ in range(2):
            with pytest.raises(UnavailableError):
                await identity.resolve([("upn", UPN)], "school-100001")
        assert links.written == []
