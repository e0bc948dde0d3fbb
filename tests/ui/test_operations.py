"""Operations: latency, errors, retries, tokens and cost of the LLM calls, or an empty state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from streamlit.testing.v1 import AppTest

from core.bootstrap import AppContext
from tests.fakes import usage_row
from tests.ui.helpers import metrics, texts


def _record(ctx: AppContext, **fields: object) -> None:
    ctx.llm_usage.record(usage_row(**({} | fields)))


def _charts(at: AppTest) -> int:
    return len(at.get("plotly_chart"))


def test_empty_state_without_llm_calls(
    open_page: Callable[[str], AppTest], ctx: AppContext
) -> None:
    at = open_page("pages/operations.py")
    assert not at.exception
    assert at.title[0].value == "Operations"
    assert any(t.startswith("No LLM calls yet — set LLM_BASE_URL") for t in texts(at))
    assert _charts(at) == 0
    assert not at.metric


def test_kpis_charts_and_by_step_table(
    open_page: Callable[[str], AppTest], ctx: AppContext
) -> None:
    _record(
        ctx,
        call_id="a",
        status="error",
        http_status=503,
        error_class="transient",
        prompt_tokens=0,
        completion_tokens=0,
        cost=0.0,
        latency_ms=200.0,
    )
    _record(ctx, call_id="a", attempt=2)
    _record(ctx, call_id="b", step="filter", model="gpt-4o-mini", latency_ms=400.0, cost=0.001)
    at = open_page("pages/operations.py")
    assert not at.exception, [e.value for e in at.exception]
    shown = metrics(at)
    assert shown["HTTP attempts"] == "3"
    assert shown["Errors"] == "1"
    assert shown["Tokens"] == "2,468"
    assert shown["Cost"] == "$0.0133"
    assert shown["Latency p50"].endswith("ms") or shown["Latency p50"].endswith(" s")
    assert _charts(at) == 4  # attempts, latency, retries by class, tokens and cost
    table = at.dataframe[0].value.set_index("step")
    assert table.loc["rate", "attempts"] == 2
    assert table.loc["rate", "calls"] == 1
    assert table.loc["filter", "tokens"] == 1234
    errors = at.dataframe[1].value
    assert errors.to_dict("records") == [
        {"error_class": "transient (timeout, 5xx, dropped connection)", "attempts": 1}
    ]


def test_a_period_without_calls_says_so(
    open_page: Callable[[str], AppTest], ctx: AppContext
) -> None:
    _record(ctx, called_at=datetime.now(UTC) - timedelta(hours=3))
    at = open_page("pages/operations.py")
    assert metrics(at)["HTTP attempts"] == "1"
    at.segmented_control(key="ops_hours").set_value(1).run()
    assert not at.exception
    assert any("No LLM calls in the last hour" in t for t in texts(at))
    assert _charts(at) == 0


def test_no_retries_chart_when_nothing_failed(
    open_page: Callable[[str], AppTest], ctx: AppContext
) -> None:
    _record(ctx)
    at = open_page("pages/operations.py")
    assert not at.exception
    assert _charts(at) == 3
    assert any("nothing was retried" in t for t in texts(at))
    assert len(at.dataframe) == 1  # no errors-by-class table either
