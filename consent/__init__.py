"""Consent: sharing agreements, consent directives and the disclosure decision."""
