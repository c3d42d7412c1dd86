"""Errors of the configuration files."""

from services.exceptions import JoinedUpError


class ConfigFileError(JoinedUpError):
    """Raised when a configuration file cannot be found where the settings say it is."""
