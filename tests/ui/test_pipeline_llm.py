"""Pipeline page with an LLM endpoint: live calls/s against the limit, tokens, cost, errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from streamlit.testing.v1 import AppTest

from core.access.roles import CLI_ACTOR
from core.bootstrap import AppContext
from core.llm.endpoint import EndpointOverrides
from tests.fakes import usage_row
from tests.ui.helpers import metrics, texts

# Nothing listens on port 9: the worker has no tenders, so it never calls it.
BASE_URL = "http://127.0.0.1:9/v1"


def _record(ctx: AppContext, **fields: object) -> None:
    recent = datetime.now(UTC) - timedelta(seconds=10)  # inside the live one-minute window
    ctx.llm_usage.record(usage_row(**({"base_url": BASE_URL, "called_at": recent} | fields)))


def test_live_llm_numbers(open_page: Callable[[str], AppTest], ctx: AppContext) -> None:
    ctx.analyst_settings().save_endpoint_overrides(
        EndpointOverrides(base_url=BASE_URL, rpm=480), actor=CLI_ACTOR
    )
    for n in range(5):
        _record(ctx, call_id=f"c{n}")
    _record(
        ctx,
        call_id="c0",
        attempt=2,
        status="error",
        http_status=429,
        error_class="rate_limited",
        prompt_tokens=0,
        completion_tokens=0,
        cost=0.0,
    )
    at = open_page("pages/pipeline.py")
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.value == "LLM endpoint" for s in at.subheader)
    shown = metrics(at)
    assert shown["Call rate"] == "0.1 calls/s of 8.0"
    assert shown["Tokens, last minute"] == "6,170"
    assert shown["Cost today"] == "$0.0615"
    assert shown["Retries today"] == "1"
    errors = next(d.value for d in at.dataframe if "error class" in d.value.columns)
    assert errors.to_dict("records") == [
        {"error class": "rate limited (429)", "last minute": 1, "today": 1}
    ]
    assert not any("not answering" in w.value for w in at.warning)


def test_unavailable_endpoint_banner(open_page: Callable[[str], AppTest], ctx: AppContext) -> None:
    ctx.analyst_settings().save_endpoint_overrides(
        EndpointOverrides(base_url=BASE_URL), actor=CLI_ACTOR
    )
    # the worker must not clear the flag by itself during the test
    ctx.controls().set_paused(True, actor=CLI_ACTOR)
    ctx.controls().set_unavailable("left over from a process that died while waiting")
    at = open_page("pages/pipeline.py")
    assert not any("left over" in w.value for w in at.warning), "cleared when the worker starts"
    ctx.controls().set_unavailable(f"{BASE_URL} is not answering (connection refused)")
    at.run()
    assert not at.exception
    banner = [
        w.value.replace("\\", "").replace("\u2060", "")
        for w in at.warning
        if "not answering" in w.value
    ]
    assert len(banner) == 1
    assert banner[0].startswith("The LLM endpoint is not answering (since ")
    assert f"{BASE_URL} is not answering (connection refused)." in banner[0]
    assert banner[0].endswith("The worker is waiting and resumes by itself; nothing is failed.")
    assert metrics(at)["Call rate"] == "0.0 calls/s (no limit set)"
    assert any("No failed attempt today." in t for t in texts(at))


def test_rules_analyst_shows_no_llm_numbers(
    open_page: Callable[[str], AppTest], ctx: AppContext
) -> None:
    _record(ctx)  # old usage from an endpoint that is no longer configured
    at = open_page("pages/pipeline.py")
    assert not at.exception
    assert "Call rate" not in metrics(at)
    assert not any(s.value == "LLM endpoint" for s in at.subheader)
