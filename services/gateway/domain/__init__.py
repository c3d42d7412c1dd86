"""Pure parts of the gateway: publisher credentials, batch outcomes."""
