"""Rigs shared by the integration and e2e tiers: the project's own parts, run in this process."""
