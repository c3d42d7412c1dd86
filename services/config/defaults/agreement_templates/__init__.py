"""Sharing agreement templates for a new authority, one statutory purpose per file."""
