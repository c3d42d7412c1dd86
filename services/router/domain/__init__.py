"""Pure parts of the router: child state folding, routing decisions, the audit hash chain."""
