"""The view feed's OpenAPI document, fuzzed with schemathesis against the served app.

Generated requests (hypothesis, derandomized, bounded) with the caller's own
agency and token, with another agency's view, and without a token: no answer
is a server error, every status is a documented one, and every body matches
its documented schema - the 200 page and each error alike.
"""

from __future__ import annotations

import asyncio
import warnings
from typing import Any

import hypothesis
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase
from hypothesis.errors import HypothesisDeprecationWarning
from receiving_rig import disclosures, token_of
from rigs.serving import serving
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from schemas.registry_client import RegistryClient
from services.view_feed.bootstrap import build_view_feed
from services.view_feed.settings import ViewFeedSettings

pytestmark = pytest.mark.integration

EXAMPLES = 25
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]


def fuzz(base_url: str, path_agency: str, mode: GenerationMode, token: str | None) -> dict:
    """Send up to EXAMPLES generated cases of every operation; statuses seen and failures."""
    document = requests.get(f"{base_url}/openapi.json", timeout=30).json()
    schema = schemathesis.openapi.from_dict(document, config=schemathesis.Config())
    statuses: dict[int, int] = {}
    failures: list[str] = []
    headers = None if token is None else {"authorization": f"Bearer {token}"}
    for result in schema.get_all_operations():
        operation = result.ok()
        strategy = operation.as_strategy(
            mode, path_parameters={"agency": path_agency}, headers=headers
        )

        @hypothesis.settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @hypothesis.given(case=strategy)
        def run(case: Any) -> None:
            response = case.call(base_url=base_url, timeout=60)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            try:
                case.validate_response(response, checks=CHECKS)
            except FailureGroup as group:
                failures.extend(f"{type(f).__name__}: {case.as_curl_command()}" for f in group)

        with warnings.catch_warnings():
            # The app's Kafka consumers, on the event loop meanwhile, use the global `random`.
            warnings.filterwarnings(
                "ignore",
                message="Do not use the `random` module inside strategies",
                category=HypothesisDeprecationWarning,
            )
            run()
    return {"statuses": statuses, "failures": failures}


class TestViewFeedDocument:
    async def test_generated_requests_get_documented_answers(
        self, bus_settings, registry, readers_file, agencies, writer
    ):
        """Own view, another's view, no token: each answer is documented and matches its schema."""
        own, other = agencies
        await writer.write(disclosures(own, 5))
        options = ViewFeedSettings(readers_file=readers_file, max_wait_s=2)
        app = build_view_feed(bus_settings, RegistryClient(registry.url), options)
        async with serving(app) as url:
            runs = {
                "own": await asyncio.to_thread(
                    fuzz, url, own, GenerationMode.POSITIVE, token_of(own)
                ),
                "own, negative": await asyncio.to_thread(
                    fuzz, url, own, GenerationMode.NEGATIVE, token_of(own)
                ),
                "another's": await asyncio.to_thread(
                    fuzz, url, other, GenerationMode.POSITIVE, token_of(own)
                ),
                "no token": await asyncio.to_thread(fuzz, url, own, GenerationMode.NEGATIVE, None),
            }
        assert {name: r["failures"] for name, r in runs.items()} == {name: [] for name in runs}
        assert 200 in runs["own"]["statuses"]
        assert 422 in runs["own, negative"]["statuses"]
        assert set(runs["another's"]["statuses"]) == {403}
        assert 401 in runs["no token"]["statuses"]
