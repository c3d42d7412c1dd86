"""Errors of cluster governance (principals, ACLs, users, topics)."""

from services.exceptions import JoinedUpError


class GovernanceError(JoinedUpError):
    """Raised when principals, ACLs, users or topics cannot be derived or applied."""


class PrincipalError(GovernanceError):
    """Raised when the agency directory would give two parties the same principal or groups."""


class LocalBrokerOnlyError(GovernanceError):
    """Raised when users are to be provisioned on a cluster other than the local broker."""


class ClusterChangeError(GovernanceError):
    """Raised when the cluster refuses or does not show a change `apply` made."""
