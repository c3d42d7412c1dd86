"""Metrics (Prometheus), readiness and liveness of every service and worker."""
