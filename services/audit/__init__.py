"""The disclosure audit trail: its hash chain, where each chain ends, reading it back."""
