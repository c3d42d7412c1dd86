"""Hand-written fakes shared by every test tier (tests/ is on pytest's pythonpath)."""
