from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.pipeline.status import PipelineStatus
from core.views.describe import deadline_text, describe_analyst, duration_text, progress_fraction
from core.views.tender import pick_tender_id, with_current

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


def test_analyst_names() -> None:
    assert describe_analyst("rules") == "rules: offline CPV + keyword analyst"
    assert describe_analyst("llm:gpt-4o-mini@https://api.openai.com/v1") == (
        "LLM: gpt-4o-mini at https://api.openai.com/v1"
    )
    assert describe_analyst(None) == "no analyst yet"


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (timedelta(days=12, hours=3), "12 days left"),
        (timedelta(days=1, hours=1), "1 day left"),
        (timedelta(hours=5), "closes today"),
        (timedelta(hours=-5), "closed"),
        (timedelta(days=-3, hours=-2), "closed 3 days ago"),
        (timedelta(days=-30), "closed 30 days ago"),
    ],
)
def test_deadline_text(delta: timedelta, expected: str) -> None:
    assert deadline_text(NOW + delta, NOW).endswith(expected)
    assert deadline_text(None, NOW) == "not stated"


def test_durations() -> None:
    assert duration_text(None) == "unknown"
    assert duration_text(30) == "about 30 s"
    assert duration_text(600) == "about 10 min"
    assert duration_text(3 * 3600) == "about 3.0 h"


def test_progress_counts_errors_as_settled() -> None:
    status = PipelineStatus(
        tenders=10,
        by_status={"pending": 2, "processing": 1, "complete": 5, "error": 2},
        review_queue=0,
        bids=5,
        errors=2,
        analyst="rules",
        paused=False,
        throughput_per_s=1.0,
        eta_s=3.0,
        recent_errors=[],
    )
    assert progress_fraction(status) == pytest.approx(0.7)


def test_pick_tender_id() -> None:
    assert pick_tender_id(None, "12") == 12
    assert pick_tender_id(["7"], 3) == 7
    assert pick_tender_id("abc", "-1", 0, 5) == 5
    assert pick_tender_id(None, None) is None


def test_with_current_puts_the_shown_tender_first() -> None:
    assert list(with_current({1: "a", 2: "b"}, 9, "z")) == [9, 1, 2]
    assert list(with_current({1: "a", 2: "b"}, 2, "b")) == [1, 2]
