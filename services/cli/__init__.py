"""The `joinedup` command line."""
