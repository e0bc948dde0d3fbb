"""The app with an LLM endpoint (the fake server, with faults): upload, analyse, inspect calls."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import AppServer, start_app, stop_app
from tests.e2e.test_app import no_exception, settled
from tests.fake_openai import ALL_FAULTS, FakeConfig, FakeOpenAI
from tests.integration.test_cli import PLAIN_CSV

pytestmark = pytest.mark.e2e


@pytest.fixture
def llm_app(tmp_path: Path) -> Iterator[tuple[AppServer, FakeOpenAI]]:
    config = FakeConfig(
        latency=(0.05, 0.2),
        fault_rate=0.2,
        fault_kinds=ALL_FAULTS,
        refuse_modes=frozenset({"json_schema"}),
        seed=7,
        max_lifetime_s=300,
    )
    with FakeOpenAI(config) as fake:
        server, process = start_app(
            tmp_path,
            extra_env={
                "LLM_BASE_URL": fake.base_url,
                "LLM_MODEL": "fake-model",
                "LLM_MAX_CONCURRENCY": "4",
                "LLM_TIMEOUT_S": "3",
            },
        )
        try:
            yield server, fake
        finally:
            stop_app(process)


def test_llm_analysis_through_the_ui_survives_faults(llm_app, page: Page, tmp_path: Path):
    app, fake = llm_app
    csv_path = tmp_path / "tenders.csv"
    csv_path.write_bytes(PLAIN_CSV.read_bytes())
    app.sign_in(page, "carol")
    page.goto(app.url + "/import")
    settled(page)
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(csv_path)
    page.get_by_role("button", name="Import 1 file").click()
    settled(page)
    expect(page.get_by_text(re.compile(r"5 new"))).to_be_visible()

    page.goto(app.url + "/pipeline")
    settled(page)
    expect(page.get_by_text(re.compile(r"Active analyst: LLM: fake-model"))).to_be_visible()
    expect(page.get_by_text("5 of 5 tenders analysed")).to_be_visible(timeout=90_000)
    expect(page.get_by_text("LLM endpoint", exact=True)).to_be_visible()
    # the faults were retried, never turned into failed tenders
    expect(page.get_by_text("No tender is in error.")).to_be_visible()
    no_exception(page)

    page.goto(app.url + "/operations")
    settled(page)
    expect(page.get_by_text("Latency p50")).to_be_visible()
    expect(page.get_by_text("No LLM calls yet")).to_have_count(0)
    no_exception(page)
    assert fake.stats().get("refused_json_schema", 0) >= 1
