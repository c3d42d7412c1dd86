"""Child refs of the one valid form (schemas/child_ref.py) for tests: `child_ref("pupil 1")`."""

from __future__ import annotations

import base64
import hashlib


def child_ref(seed: str, key_version: int = 1) -> str:
    """A child_ref derived from `seed`: the same seed, the same ref; any seed, a valid one."""
    digest = hashlib.sha256(seed.encode()).digest()
    return f"cr{key_version}_" + base64.b32encode(digest).decode().lower()[:32]
