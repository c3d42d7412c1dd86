"""Shared test configuration: every test runs in development mode."""
