"""Who receives which webhooks: alert receivers per agency, and disclosure subscriptions.

Two files say it (services/config): `webhooks.yaml` lists the URLs that get
every alert disclosed to an agency; `view-webhooks.yaml` lists subscriptions,
each a URL that gets the agency's disclosures of chosen event types. A
delivery is one (URL, kind) for one view record; a dead letter names its URL
by host and path only (a query may carry a receiver's key), and a replay finds
the configured URL again by that and the kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

DeliveryKind = Literal["alert", "disclosure"]


def url_tail(url: str) -> str:
    """A URL as dead letters and logs name it: host and path, never the query."""
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}"


@dataclass(frozen=True)
class ViewSubscription:
    """An agency's system subscribed to its disclosures of some event types."""

    agency: str
    url: str
    event_types: frozenset[str]


@dataclass(frozen=True)
class Delivery:
    """One webhook to send for one view record."""

    url: str
    kind: DeliveryKind


@dataclass(frozen=True)
class WebhookTargets:
    """Every webhook receiver of the deployment."""

    alerts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    subscriptions: tuple[ViewSubscription, ...] = ()

    @property
    def agencies(self) -> tuple[str, ...]:
        """The agencies whose views the relay reads, sorted."""
        return tuple(sorted({*self.alerts, *(s.agency for s in self.subscriptions)}))

    def deliveries(self, agency: str, event_type: str, *, is_alert: bool) -> list[Delivery]:
        """The webhooks one record of `agency`'s view goes to."""
        found = [Delivery(url, "alert") for url in self.alerts.get(agency, ())] if is_alert else []
        found += [
            Delivery(s.url, "disclosure")
            for s in self.subscriptions
            if s.agency == agency and event_type in s.event_types
        ]
        return found

    def configured(self, agency: str, tail: str, kind: DeliveryKind) -> Delivery | None:
        """The configured delivery a dead letter names by host and path, if still configured."""
        urls = (
            self.alerts.get(agency, ())
            if kind == "alert"
            else tuple(s.url for s in self.subscriptions if s.agency == agency)
        )
        return next((Delivery(url, kind) for url in urls if url_tail(url) == tail), None)
