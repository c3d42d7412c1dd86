"""Joined-up services: bus plumbing, gateway, router, thresholds, alerts, registry, CLI."""
