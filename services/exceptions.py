"""The project's one exception root; every package's exceptions derive from it."""


class JoinedUpError(Exception):
    """Raised for any error the project itself detects (never for a bug)."""
