"""Errors of rendering deployment resources."""

from services.exceptions import JoinedUpError


class DeployError(JoinedUpError):
    """Raised when deployment resources cannot be rendered from the project's data."""


class RenderOptionError(DeployError):
    """Raised when a render option (namespace, cluster, brokers, partitions) breaks its rule."""


class UntranslatableError(DeployError):
    """Raised when a topic, principal or ACL rule has no faithful Strimzi form."""
