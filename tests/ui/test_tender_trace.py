"""Tenders page: the 'LLM calls' trace of a tender, and nothing for a tender without calls."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from streamlit.testing.v1 import AppTest

from core.bootstrap import AppContext
from tests.fakes import usage_row
from tests.ui.helpers import texts


def test_trace_of_a_tender_with_llm_calls(
    open_page: Callable[[str], AppTest], analysed_demo: AppContext
) -> None:
    ctx = analysed_demo
    at = open_page("pages/tenders.py")
    tender_id = int(at.selectbox[0].value)
    start = datetime.now(UTC) - timedelta(minutes=5)
    common = {"tender_id": tender_id, "prompt_version": "rate@1a2b3c"}
    for row in (
        usage_row(
            call_id="f",
            step="filter",
            prompt_tokens=500,
            completion_tokens=50,
            latency_ms=600,
            cost=0.0001,
            called_at=start,
            **common,
        ),
        usage_row(
            call_id="r",
            status="error",
            http_status=200,
            error_class="invalid_output",
            error="not JSON",
            prompt_tokens=800,
            completion_tokens=90,
            latency_ms=900,
            cost=0.0,
            called_at=start + timedelta(seconds=1),
            **common,
        ),
        usage_row(
            call_id="r",
            attempt=2,
            reask=1,
            prompt_tokens=900,
            completion_tokens=120,
            latency_ms=1100,
            cost=0.0002,
            called_at=start + timedelta(seconds=2),
            **common,
        ),
    ):
        ctx.llm_usage.record(row)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    expander = next(e for e in at.expander if e.label.startswith("LLM calls"))
    assert expander.label == "LLM calls (2)"
    trace = next(d.value for d in at.dataframe if "prompt version" in d.value.columns)
    assert trace[["call", "step", "attempt", "reask", "status"]].values.tolist() == [
        [1, "filter", 1, 0, "ok"],
        [2, "rate", 1, 0, "error"],
        [2, "rate", 2, 1, "ok"],
    ]
    assert trace["tokens"].tolist() == [550, 890, 1020]
    assert set(trace["prompt version"]) == {"rate@1a2b3c"}
    assert trace["error class"].tolist()[1] == "invalid JSON (reasked)"
    assert any("2 calls · 3 HTTP attempts · 2,460 tokens · $0.0003" in t for t in texts(at))


def test_no_trace_section_without_llm_calls(
    open_page: Callable[[str], AppTest], analysed_demo: AppContext
) -> None:
    at = open_page("pages/tenders.py")
    assert not at.exception
    assert not any(e.label.startswith("LLM calls") for e in at.expander)
    assert not any("prompt version" in d.value.columns for d in at.dataframe)
