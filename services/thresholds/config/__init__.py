"""Packaged YAML defaults: rule thresholds and an example school calendar."""
