"""Errors of the simulator."""

from services.exceptions import JoinedUpError


class SimulationError(JoinedUpError):
    """Raised when a simulation cannot run: bad rates, a stack that stops, a bus that lags."""


class PlanError(SimulationError):
    """Raised when a simulation plan breaks a rule; names the option and the rule."""

    def __init__(self, option: str, rule: str) -> None:
        """Name the option (`--pupils`) and the rule it broke."""
        super().__init__(f"{option}: {rule}")
        self.option = option
        self.rule = rule


class IdentifiersExhaustedError(SimulationError):
    """Raised when the synthetic identifier ranges hold no unused number for another child."""
