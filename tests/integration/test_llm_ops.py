"""core.views.operations over a real DuckDB file; Test connection against the fake OpenAI server."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.access.roles import CLI_ACTOR
from core.bootstrap import AppContext, open_context
from core.config import Settings
from core.llm.endpoint import EndpointOverrides
from core.models import LLMUsage
from core.views import llm_settings
from core.views import operations as llm_ops
from storage.db import close_database
from tests.fake_openai import FakeConfig, FakeOpenAI
from tests.fakes import usage_row
from tests.integration.test_llm_client import ScriptedFake

BASE_URL = "https://llm.example.test/v1"


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    """No LLM in the environment except the model name (so sources can be told apart)."""
    path = tmp_path / "ops.duckdb"
    settings = Settings(llm_base_url=None, llm_model="env-model", llm_api_key=None)
    context = open_context(settings=settings, db_path=path)
    yield context
    close_database(path)


def _usage(**fields: object) -> LLMUsage:
    defaults: dict[str, object] = {
        "base_url": BASE_URL,
        "prompt_tokens": 100,
        "completion_tokens": 20,
        "latency_ms": 400.0,
        "cost": 0.001,
        # taken at each call: a module-level "now" is minutes old by the time a test runs
        "called_at": datetime.now(UTC) - timedelta(seconds=5),
    }
    return usage_row(**(defaults | fields))


def _seed_minute(ctx: AppContext) -> None:
    """One call with a 429 then an answer, one clean call, a cache hit, and an old call."""
    rows = [
        _usage(
            call_id="a",
            status="error",
            http_status=429,
            error_class="rate_limited",
            prompt_tokens=0,
            completion_tokens=0,
            cost=0.0,
            latency_ms=100.0,
        ),
        _usage(call_id="a", attempt=2, latency_ms=700.0),
        _usage(call_id="b", step="filter", latency_ms=300.0),
        _usage(call_id="c", status="cached", prompt_tokens=0, completion_tokens=0, cost=0.0),
        _usage(call_id="old", called_at=datetime.now(UTC) - timedelta(days=3), cost=5.0),
    ]
    for row in rows:
        ctx.llm_usage.record(row)


# ---------------------------------------------------------------------- live numbers
def test_no_live_numbers_without_an_endpoint(ctx: AppContext) -> None:
    _seed_minute(ctx)
    assert llm_ops.live_llm_stats(ctx) is None


def test_live_numbers_against_the_limit(ctx: AppContext) -> None:
    ctx.analyst_settings().save_endpoint_overrides(
        EndpointOverrides(base_url=BASE_URL, rpm=480), actor=CLI_ACTOR
    )
    _seed_minute(ctx)
    stats = llm_ops.live_llm_stats(ctx)
    assert stats is not None
    assert stats.calls_per_s == pytest.approx(3 / 60)
    assert stats.rate_text == "0.1 calls/s of 8.0"
    assert stats.tokens_last_minute == 240
    assert stats.tokens_today == 240  # the call three days ago is not today
    assert stats.cost_today == pytest.approx(0.002)
    assert (stats.attempts_today, stats.retries_today, stats.cache_hits_today) == (3, 1, 1)
    assert [(e.error_class, e.last_minute, e.today) for e in stats.errors] == [
        ("rate_limited", 1, 1)
    ]
    assert stats.limiter is None  # no client runs in this process: none is built to look


def test_live_numbers_without_a_limit_say_so(ctx: AppContext) -> None:
    ctx.analyst_settings().save_endpoint_overrides(
        EndpointOverrides(base_url=BASE_URL), actor=CLI_ACTOR
    )
    stats = llm_ops.live_llm_stats(ctx)
    assert stats is not None
    assert stats.rate_text == "0.0 calls/s (no limit set)"
    assert stats.errors == []


def test_limiter_is_read_from_the_running_client(ctx: AppContext) -> None:
    ctx.analyst_settings().save_endpoint_overrides(
        EndpointOverrides(base_url=BASE_URL, rpm=120, max_concurrency=3), actor=CLI_ACTOR
    )
    endpoint = ctx.analyst_settings().endpoint()
    assert endpoint is not None
    ctx.llm_client(endpoint)
    stats = llm_ops.live_llm_stats(ctx)
    assert stats is not None and stats.limiter is not None
    assert stats.limiter_text == "0 of 3 in flight · pacing at 120 requests/min"


def test_unavailable_banner_wording() -> None:
    since = datetime(2026, 3, 3, 14, 2, tzinfo=UTC)
    text = llm_ops.unavailable_text(
        "http://x is not answering", since, now=since + timedelta(minutes=3)
    )
    assert text == (
        "The LLM endpoint is not answering (since 14:02 UTC, about 3 min): "
        "http://x is not answering. The worker is waiting and resumes by itself; "
        "nothing is failed."
    )
    assert llm_ops.unavailable_text(None, None) == ""


@pytest.mark.parametrize(
    ("amount", "text"), [(0, "$0.0000"), (0.01234, "$0.0123"), (1234.5, "$1,234.50")]
)
def test_usd(amount: float, text: str) -> None:
    assert llm_ops.usd(amount) == text


# ---------------------------------------------------------------------- operations
def test_operations_report_totals_and_by_step(ctx: AppContext) -> None:
    _seed_minute(ctx)
    report = llm_ops.operations_report(ctx, hours=1)
    assert report.any_calls_ever
    assert (report.attempts, report.ok, report.errors, report.retries) == (3, 2, 1, 1)
    assert report.cache_hits == 1
    assert report.tokens == 240
    assert report.cost == pytest.approx(0.002)
    table = report.by_step.set_index("step")
    assert table.loc["rate", "calls"] == 1
    assert table.loc["rate", "attempts"] == 2
    assert table.loc["rate", "tokens"] == 120
    assert table.loc["filter", "latency_p50_ms"] == pytest.approx(300)
    # across steps the percentiles are exact over every attempt: 100, 300, 700 ms
    assert report.latency_p50_ms == pytest.approx(300)
    assert report.latency_p95_ms == pytest.approx(300 + 0.9 * 400)
    assert report.errors_by_class.to_dict("records") == [
        {"error_class": "rate limited (429)", "attempts": 1}
    ]
    assert report.per_minute["attempts"].sum() == 3


def test_operations_report_when_nothing_happened(ctx: AppContext) -> None:
    report = llm_ops.operations_report(ctx, hours=24)
    assert not report.any_calls_ever
    assert report.attempts == 0
    assert report.latency_p50_ms is None
    assert report.by_step.empty


# ---------------------------------------------------------------------- a tender's trace
def test_trace_groups_attempts_by_call(ctx: AppContext) -> None:
    start = datetime.now(UTC) - timedelta(minutes=1)
    rows = [
        _usage(call_id="filter1", step="filter", tender_id=7, called_at=start),
        _usage(
            call_id="rate1",
            tender_id=7,
            status="error",
            error_class="invalid_output",
            called_at=start + timedelta(seconds=1),
        ),
        _usage(call_id="other", tender_id=8, called_at=start + timedelta(seconds=2)),
        _usage(
            call_id="rate1",
            tender_id=7,
            attempt=2,
            reask=1,
            prompt_version="rate@abc123",
            called_at=start + timedelta(seconds=3),
        ),
    ]
    for row in rows:
        ctx.llm_usage.record(row)
    trace = llm_ops.tender_trace(ctx, 7)
    assert [(r.call, r.step, r.attempt, r.reask, r.status) for r in trace] == [
        (1, "filter", 1, 0, "ok"),
        (2, "rate", 1, 0, "error"),
        (2, "rate", 2, 1, "ok"),
    ]
    assert trace[1].error_class == "invalid JSON (reasked)"
    assert trace[2].prompt_version == "rate@abc123"
    assert trace[0].tokens == 120
    assert llm_ops.trace_summary(trace) == "2 calls · 3 HTTP attempts · 360 tokens · $0.0030"
    assert llm_ops.tender_trace(ctx, 999) == []


# ---------------------------------------------------------------------- the endpoint form
def test_form_says_where_each_value_comes_from(ctx: AppContext) -> None:
    form = llm_settings.endpoint_form(ctx)
    assert not form.active
    assert form.values.base_url == ""
    assert form.values.model == "env-model"
    assert form.sources["model"] == "environment"
    assert form.sources["rpm"] == "default"
    assert form.sources["model_rate"] == "main model"
    assert form.api_key_text == "API key: not set (from the environment or secrets.toml)"


def test_save_keeps_only_what_differs_from_the_environment(ctx: AppContext) -> None:
    values = llm_settings.endpoint_form(ctx).values
    values.base_url = " http://localhost:11434/v1/ "
    values.model_rate = "big-model"
    values.rpm = 30
    values.prefilter = False
    assert llm_settings.save_endpoint_form(ctx, values, actor=CLI_ACTOR) is None
    saved = ctx.analyst_settings().endpoint_overrides()
    assert saved.base_url == "http://localhost:11434/v1"
    assert saved.model is None  # equal to the environment's: it keeps following it
    assert (saved.model_rate, saved.rpm) == ("big-model", 30)
    assert not ctx.analyst_settings().prefilter_enabled()
    form = llm_settings.endpoint_form(ctx)
    assert form.active
    assert form.sources["base_url"] == "saved here"
    assert form.sources["model"] == "environment"
    assert form.sources["prefilter"] == "saved here"
    endpoint = ctx.analyst_settings().endpoint()
    assert endpoint is not None and endpoint.model_for("rate") == "big-model"


def test_bad_values_are_one_sentence_and_store_nothing(ctx: AppContext) -> None:
    values = llm_settings.endpoint_form(ctx).values
    values.base_url = "localhost:11434"
    assert (
        llm_settings.save_endpoint_form(ctx, values, actor=CLI_ACTOR)
        == "The base URL must start with http:// or https://."
    )
    values.base_url = "http://localhost:11434/v1"
    values.max_concurrency = 100
    message = llm_settings.save_endpoint_form(ctx, values, actor=CLI_ACTOR)
    assert message is not None and message.startswith("Max concurrency: ")
    assert message.count(".") == 1 and "\n" not in message
    assert ctx.analyst_settings().endpoint_overrides() == EndpointOverrides()


# ---------------------------------------------------------------------- test connection
def test_connection_lists_models_and_finds_the_modes_that_work(ctx: AppContext) -> None:
    config = FakeConfig(models=("fake-model", "other"), refuse_modes=frozenset({"json_schema"}))
    with FakeOpenAI(config) as fake:
        report = llm_settings.probe_connection(ctx, fake.base_url, "fake-model", actor=CLI_ACTOR)
        assert report.ok, report.message
        assert report.models == ["fake-model", "other"]
        assert report.best_mode == "tool"
        assert {m.mode: m.works for m in report.modes} == {
            "json_schema": False,
            "tool": True,
            "json_object": True,
            "prompted": True,
        }
        assert llm_settings.models_text(report).startswith("2 models listed in ")
        # the refusal is remembered, but only shown for the endpoint in force
        assert llm_settings.remembered_refusals(ctx) == []
        ctx.analyst_settings().save_endpoint_overrides(
            EndpointOverrides(base_url=fake.base_url, model="fake-model"), actor=CLI_ACTOR
        )
        assert [(r.model, r.feature) for r in llm_settings.remembered_refusals(ctx)] == [
            ("fake-model", "json_schema")
        ]
        assert llm_settings.forget_refusals(ctx, actor=CLI_ACTOR) == 1
        assert llm_settings.remembered_refusals(ctx) == []
        assert ctx.capabilities.refused(fake.base_url, "fake-model") == set()
    # testing saves nothing of the form
    assert ctx.analyst_settings().endpoint_overrides().rpm is None


def test_connection_rides_out_one_503_and_reports_modes_it_could_not_test(
    ctx: AppContext,
) -> None:
    # one 503 on the second mode is retried; two on the third leave it untested, and the
    # modes that answered still make the endpoint usable
    with ScriptedFake(faults=(None, "http_503", None, "http_503", "http_503")) as fake:
        report = llm_settings.probe_connection(ctx, fake.base_url, "fake-model", actor=CLI_ACTOR)
    assert report.ok, report.message
    assert [(m.mode, m.works) for m in report.modes] == [
        ("json_schema", True),
        ("tool", True),
        ("json_object", False),
    ]
    assert report.modes[-1].detail.startswith("not tested: ")
    assert ctx.capabilities.refused(fake.base_url, "fake-model") == set(), "not a refusal"


def test_connection_to_a_dead_endpoint_is_one_sentence(ctx: AppContext) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    started = time.monotonic()
    url = f"http://127.0.0.1:{port}/v1"
    report = llm_settings.probe_connection(ctx, url, "fake-model", actor=CLI_ACTOR)
    assert time.monotonic() - started < 30
    assert not report.ok
    assert "127.0.0.1" in report.message
    assert "Traceback" not in report.message and "\n" not in report.message
    assert "resumes by itself" not in report.message  # nothing waits on a test
    assert report.message.endswith(".")
    assert report.modes == []


def test_connection_refuses_a_bad_url_before_any_request(ctx: AppContext) -> None:
    report = llm_settings.probe_connection(ctx, "ftp://example.test", "m", actor=CLI_ACTOR)
    assert not report.ok
    assert report.message == "The base URL must start with http:// or https://."
    blank = llm_settings.probe_connection(ctx, "", "m", actor=CLI_ACTOR)
    assert blank.message.startswith("Enter a base URL to test")
