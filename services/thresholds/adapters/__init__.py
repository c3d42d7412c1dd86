"""Adapters of the thresholds service: code table, stored state, alert records."""
