"""Identity: identifier validation, the `child_ref` pseudonym and identity links.

Raw identifiers (NHS number, UPN, local case ids) stop at ingest; everything
downstream sees only `child_ref`. Nothing here logs, and no error message or
repr carries a raw identifier.
"""
