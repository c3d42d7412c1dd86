"""Smoke app: proves the Faust plumbing end to end (stream -> agent -> table -> changelog)."""
