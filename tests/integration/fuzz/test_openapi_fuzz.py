"""Schemathesis against the OpenAPI document of each of the four services (bounded).

The counts by status code are printed (pytest -s) and written to
test-artifacts/fuzz-counts.json under "openapi".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fuzz_rig import APIS, FuzzServices
from openapi_fuzz import fuzz_api
from tally import Finding, Tally, show, write_counts

pytestmark = pytest.mark.integration

EXAMPLES = 20  # generated cases per operation and plan (positive, negative, negative unsigned)
MIN_RESPONSES = 100  # per API: fewer means the fuzz did not reach the API


def _server_side(finding: Finding) -> bool:
    return finding.status is None or finding.status >= 500


@pytest.fixture(scope="module")
def fuzzed(fuzz_services: FuzzServices) -> Callable[[str], tuple[Tally, dict[str, Any]]]:
    """Fuzz an API once (on first use) and return the run's tally and what its document says."""
    tally = Tally()
    documents: dict[str, dict[str, Any]] = {}

    def run(api: str) -> tuple[Tally, dict[str, Any]]:
        if api not in documents:
            documents[api] = fuzz_api(api, fuzz_services, EXAMPLES, tally)
            undocumented = tally.undocumented(
                {
                    name: {k: set(v) for k, v in d["documented_statuses"].items()}
                    for name, d in documents.items()
                }
            )
            show(f"\n{tally.table(f'openapi fuzz, {EXAMPLES} examples per operation and plan')}")
            show(
                f"{api}: operations without a documented error: "
                f"{documents[api]['without_documented_errors']}"
            )
            show(f"{api}: statuses answered but not documented: {undocumented.get(api, [])}")
            write_counts(
                "openapi",
                tally.as_json()
                | {
                    "examples_per_operation_and_plan": EXAMPLES,
                    "documents": documents,
                    "undocumented_statuses": undocumented,
                },
            )
        return tally, documents[api]

    return run


@pytest.mark.parametrize("api", APIS)
def test_no_server_errors(api, fuzzed):
    """Generated requests to every documented operation all get an answer, and none a 5xx."""
    tally, _ = fuzzed(api)
    found = [f for f in tally.findings if f.api == api and _server_side(f)]
    assert tally.total_of(api) >= MIN_RESPONSES, dict(tally.by_api[api])
    assert not found, "\n" + "\n".join(f.line() for f in found)


@pytest.mark.parametrize("api", APIS)
def test_answers_conform_to_the_document(api, fuzzed):
    """Each answer's body matches its documented schema; its status too, where errors are listed."""
    tally, document = fuzzed(api)
    found = [f for f in tally.findings if f.api == api and not _server_side(f)]
    assert document["documented_statuses"], "the document lists no operation"
    assert not found, "\n" + "\n".join(f.line() for f in found)
