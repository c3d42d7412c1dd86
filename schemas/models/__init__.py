"""Typed event models, generated from the .avsc files by `python -m schemas.generate`."""
