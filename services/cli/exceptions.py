"""Errors of the `joinedup` command line."""

from services.exceptions import JoinedUpError


class CliError(JoinedUpError):
    """Raised when a command cannot do what it was asked."""


class SettingsMarkersError(CliError):
    """Raised when a file lacks the markers the settings table is written between."""
