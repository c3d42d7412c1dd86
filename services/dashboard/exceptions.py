"""Errors of the operations dashboard."""

from services.exceptions import JoinedUpError


class DashboardError(JoinedUpError):
    """Raised when the dashboard cannot be drawn."""


class DashboardFileError(DashboardError):
    """Raised when the dashboard JSON is missing, unreadable or lacks a field (names it)."""


class PrometheusError(DashboardError):
    """Raised when Prometheus does not answer a query with data (names the query)."""


class PrometheusUnavailableError(PrometheusError):
    """Raised when Prometheus cannot be reached or answers with something not its API."""


class PrometheusQueryError(PrometheusError):
    """Raised when Prometheus refuses a query (carries its error type and text)."""
