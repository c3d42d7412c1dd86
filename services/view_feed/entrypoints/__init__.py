"""The view feed's HTTP API."""
