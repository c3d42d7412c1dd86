"""The consent service: API and web page for consent officers and auditors."""
