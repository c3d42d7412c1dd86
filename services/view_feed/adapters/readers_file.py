"""Read `view-readers.yaml`: `readers: [{agency, token_sha256}]`."""

from __future__ import annotations

from pathlib import Path

import yaml

from services.bus.topics import check_agency_id
from services.view_feed.domain.readers import ViewReaders
from services.view_feed.exceptions import ViewFeedConfigError

_DIGEST_CHARS = 64


def load_view_readers(path: Path) -> ViewReaders:
    """The view readers of a YAML file; a clear error naming the entry when it is malformed."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ViewFeedConfigError(f"cannot read view readers from {path}: {exc}") from exc
    entries = (document or {}).get("readers") or []
    if not isinstance(entries, list):
        raise ViewFeedConfigError(f"{path}: `readers` must be a list")
    by_digest: dict[str, str] = {}
    for index, entry in enumerate(entries):
        try:
            digest = str(entry["token_sha256"]).lower()
            agency = check_agency_id(str(entry["agency"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise ViewFeedConfigError(f"{path}: readers[{index}] is malformed ({exc})") from exc
        if len(digest) != _DIGEST_CHARS or not all(c in "0123456789abcdef" for c in digest):
            raise ViewFeedConfigError(
                f"{path}: readers[{index}].token_sha256 must be 64 hexadecimal digits"
            )
        if by_digest.get(digest, agency) != agency:
            raise ViewFeedConfigError(f"{path}: readers[{index}] reuses another agency's token")
        by_digest[digest] = agency
    return ViewReaders(by_digest)
