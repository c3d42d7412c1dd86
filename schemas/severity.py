"""How urgent an alert is: the words of the AlertRaised contract, in rising order.

The words are the `Severity` enum of schemas/avro/alerts/AlertRaised.avsc, as
generated into schemas/models/alerts.py; rules, alerts and escalation use
these and no others.
"""

from __future__ import annotations

from typing import Final, get_args

from schemas.models.alerts import Severity

__all__ = ["SEVERITIES", "Severity", "escalated"]

SEVERITIES: Final[tuple[Severity, ...]] = get_args(Severity)


def escalated(severity: Severity) -> Severity:
    """One step more urgent; the most urgent stays where it is."""
    step = SEVERITIES.index(severity) + 1
    return SEVERITIES[min(step, len(SEVERITIES) - 1)]
