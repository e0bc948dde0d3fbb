"""The LLM analyst through the real pipeline, DuckDB and HTTP, against the fake server.

The "must show" scenarios at test size: faults everywhere, an endpoint that refuses
json_schema, an endpoint that goes down mid-run, and a re-run that asks nothing twice.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.synthetic import write_csv
from core.access.roles import CLI_ACTOR
from core.bootstrap import AppContext, open_context
from core.config import Settings
from core.imports.service import import_paths
from core.llm.capabilities import Capabilities
from core.llm.health import health_for
from core.models import RESTING_STATUSES
from core.pipeline.stages import BatchReport
from core.pipeline.status import pipeline_status
from core.pipeline.worker import run_until_idle
from storage.db import close_database
from storage.llm import CapabilityRepository
from tests.fake_openai import ALL_FAULTS, FakeConfig, FakeOpenAI, keen
from tests.fakes import route_without_review

MODEL = "fake-model"
RESTING = {s.value for s in RESTING_STATUSES}


def step_of(schema: dict[str, Any]) -> str:
    fields = schema.get("properties", {})
    if "is_relevant" in fields:
        return "filter"
    return "rate" if "overall_score" in fields else "write"


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.05)


class Bench:
    """Opens LLM contexts over fake servers in a tmp dir, and cleans both up."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.servers: list[FakeOpenAI] = []
        self.db_paths: list[Path] = []

    def server(self, port: int = 0, **config: Any) -> FakeOpenAI:
        config.setdefault("latency", (0.005, 0.03))
        config.setdefault("answerer", keen)
        server = FakeOpenAI(FakeConfig(**config), port=port).start()
        self.servers.append(server)
        return server

    def context(self, server: FakeOpenAI, tenders: int, **settings: Any) -> AppContext:
        values: dict[str, Any] = {
            "llm_base_url": server.base_url,
            "llm_model": MODEL,
            "llm_max_concurrency": 8,
            "llm_timeout_s": 2.0,
        }
        values.update(settings)
        db_path = self.tmp_path / f"tw{len(self.db_paths)}.duckdb"
        self.db_paths.append(db_path)
        ctx = open_context(Settings(**values), db_path)
        route_without_review(ctx.state)  # these tests are about the client, not routing
        csv_path = write_csv(self.tmp_path / f"tenders{len(self.db_paths)}.csv", tenders)
        (summary,) = import_paths(ctx.tenders, [csv_path], actor=CLI_ACTOR)
        assert summary.new == tenders
        return ctx

    def close(self) -> None:
        for server in self.servers:
            server.stop()
            health_for(server.base_url).clear()  # a later server may get the same port
        for db_path in self.db_paths:
            close_database(db_path)


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[Bench]:
    harness = Bench(tmp_path)
    yield harness
    harness.close()


def run(ctx: AppContext, **kwargs: Any) -> BatchReport:
    kwargs.setdefault("max_wait_s", 60.0)
    kwargs.setdefault("recovery_wait_s", 0.2)
    return run_until_idle(
        ctx.tenders,
        ctx.make_pipeline,
        batch_size=50,
        lease_s=60.0,
        on_unavailable=ctx.controls().set_unavailable,
        **kwargs,
    )


def busy(ctx: AppContext) -> dict[str, int]:
    """Tenders not at rest (pending, processing, error, …) by status."""
    return {s: n for s, n in ctx.tenders.counts_by_status().items() if n and s not in RESTING}


# ------------------------------------------------------------------------------ scenarios


def test_faults_of_every_kind_lose_no_tender(bench):
    # ~15 s on 2 cores: every 429 holds the shared limiter for the second the server asks
    server = bench.server(
        fault_rate=0.2,
        fault_kinds=(*ALL_FAULTS, *ALL_FAULTS, "hang"),  # hangs are half as common as the rest
        hang_s=30.0,
        seed=20,
    )
    ctx = bench.context(server, 120, llm_timeout_s=1.0)

    report = run(ctx)

    assert report.unavailable is None
    assert busy(ctx) == {}, "no tender in error, pending or processing"
    assert sum(report.by_status.values()) == 120
    assert ctx.tenders.count_bids() == report.by_status.get("complete", 0) > 0
    seen = server.stats()
    assert all(seen.get(kind, 0) > 0 for kind in ALL_FAULTS), f"not every fault occurred: {seen}"
    assert ctx.llm_usage.count() == len(server.requests), "one usage row per HTTP attempt"


def test_refused_json_schema_is_learnt_once(bench):
    server = bench.server(refuse_modes=frozenset({"json_schema"}), seed=21)
    ctx = bench.context(server, 60, llm_max_concurrency=4)

    run(ctx)

    assert busy(ctx) == {}
    modes = Counter(r.mode for r in server.requests)
    assert 1 <= modes["json_schema"] <= 4, f"at most one json_schema try per thread: {modes}"
    assert set(modes) == {"json_schema", "tool"}
    assert modes["tool"] > 60
    refused = {"json_schema"}
    assert ctx.capabilities.refused(server.base_url, MODEL) == refused
    restarted = Capabilities(CapabilityRepository(ctx.db))
    assert restarted.refused(server.base_url, MODEL) == refused, "remembered in the database"


def test_endpoint_down_mid_run_puts_tenders_back_and_resumes(bench):
    config: dict[str, Any] = {"latency": (0.02, 0.06), "seed": 22}
    server = bench.server(**config)
    ctx = bench.context(server, 80, llm_max_concurrency=4, llm_max_retries=2)
    outcome: dict[str, BatchReport] = {}
    runner = threading.Thread(target=lambda: outcome.setdefault("report", run(ctx)), daemon=True)
    runner.start()

    wait_until(lambda: len(server.requests) >= 30, 30, "the run to get going")
    server.stop()
    wait_until(
        lambda: ctx.controls().unavailable() is not None, 30, "the endpoint to count as down"
    )

    status = pipeline_status(ctx).contract_json()
    assert status["analyst_unavailable"], status
    counts = ctx.tenders.counts_by_status()
    assert counts.get("error", 0) == 0, "an unavailable endpoint fails no tender"
    assert counts.get("processing", 0) == 0, "claims are given back while waiting"
    assert counts.get("pending", 0) > 0

    back = bench.server(port=server.port, **config)
    runner.join(timeout=90)
    assert not runner.is_alive(), "the run should finish once the endpoint is back"
    assert outcome["report"].unavailable is None
    assert busy(ctx) == {}
    assert ctx.controls().unavailable() is None
    assert pipeline_status(ctx).contract_json()["analyst_unavailable"] is None
    assert len(back.requests) > 0


def test_a_rerun_after_retry_asks_nothing_twice(bench):
    broken = threading.Event()
    broken.set()
    asked: list[str] = []

    def answerer(schema: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
        asked.append(step_of(schema))
        if broken.is_set() and step_of(schema) == "write":  # sections below their minimum
            return dict.fromkeys(schema["properties"], "Too short.")
        return keen(schema, request)

    server = bench.server(answerer=answerer, seed=23)
    ctx = bench.context(server, 60, llm_max_reasks=1)

    run(ctx)
    failed = ctx.tenders.counts_by_status().get("error", 0)
    assert failed > 0 and set(busy(ctx)) == {"error"}
    first_run = Counter(asked)
    # each write was tried and reasked, in every output mode still believed to work
    assert 2 * failed <= first_run["write"] <= 8 * failed

    broken.clear()
    asked.clear()
    assert ctx.tenders.retry_errors() == failed
    run(ctx)
    assert busy(ctx) == {}
    assert asked == ["write"] * failed, "saved filter and rate results are not asked again"

    asked.clear()
    calls = len(server.requests)
    assert ctx.tenders.retry_errors() == 0
    report = run(ctx)
    assert report.claimed == 0
    assert len(server.requests) == calls and asked == [], "a second re-run makes no HTTP call"


def test_reanalysing_unchanged_tenders_is_answered_from_the_cache(bench):
    server = bench.server(seed=31)
    ctx = bench.context(server, 30)
    run(ctx)
    before = ctx.tenders.counts_by_status()
    bids = ctx.tenders.count_bids()
    calls = len(server.requests)
    assert calls > 0

    assert ctx.tenders.reanalyse() == 30
    assert ctx.tenders.counts_by_status() == {"pending": 30}
    run(ctx)
    assert len(server.requests) == calls, "no HTTP call: every answer came from the cache"
    assert ctx.tenders.counts_by_status() == before
    assert ctx.tenders.count_bids() == bids, "bid drafts are kept, not written again"
    assert ctx.llm_usage.window(3600).cache_hits > 0
