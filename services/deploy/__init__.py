"""Deployment resources rendered from the project's own data (`joinedup deploy render`)."""
