"""`python -m services` runs the `joinedup` CLI."""

from services.cli.main import run

run()
