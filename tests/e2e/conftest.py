"""End-to-end fixtures: a live Kafka broker and a headless Chromium.

Both FAIL the tests when missing; they never skip. The broker comes from the
same place as the integration tests' (`JOINEDUP_BOOTSTRAP_SERVERS`, else the
local broker from Maven jars, stopped at the end only if this session started
it). Chromium is Debian's (/usr/bin/chromium), driven by Playwright.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import async_playwright

from services.broker.local import LocalBroker
from services.bus.kafka import probe_cluster
from services.bus.settings import BusSettings
from services.exceptions import JoinedUpError

CHROMIUM = os.environ.get("JOINEDUP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def bus_settings() -> Iterator[BusSettings]:
    """Settings pointing at a live broker; fails (never skips) without one."""
    settings = BusSettings()
    if not settings.uses_local_broker:
        try:
            asyncio.run(probe_cluster(settings.bootstrap, settings.connect_timeout_s))
        except JoinedUpError as exc:
            pytest.fail(f"end-to-end tests need Kafka: {exc}", pytrace=False)
        yield settings
        return
    broker = LocalBroker(settings)
    try:
        started, _ = broker.start()
    except JoinedUpError as exc:
        pytest.fail(f"end-to-end tests need Kafka; starting it failed: {exc}", pytrace=False)
    yield settings
    if started:
        broker.stop()


@pytest.fixture
async def chromium() -> AsyncIterator[Any]:
    """A headless Chromium browser; fails (never skips) when Chromium is missing."""
    if shutil.which(CHROMIUM) is None:
        pytest.fail(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


@pytest.fixture
def artifacts() -> Path:
    """Where browser tests save screenshots (test-artifacts/ at the repository root)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
