"""Configuration files shipped with the alerts service."""
