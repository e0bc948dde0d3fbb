"""The date-sensitive parts behave the same whenever "now" is: today, in 18 months, a leap day.

Each run opens a database with a frozen clock, loads the demo set and a few notices dated
around that clock (closed, closing today, no deadline), analyses them with the rules analyst
and reads what a bid manager sees: where each tender rests, the review queue's order, days
left and closed, the dashboard's next deadlines, and the scores. Read relative to the clock,
every run must match. A part that reads the real clock instead of the injected one sees the
notices of the later runs as far in the future, and the runs stop matching.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from core.access.roles import Actor
from core.bootstrap import AppContext, open_context
from core.models import Role, Tender, utcnow
from core.views.dashboard import DashboardFilters, DashboardService
from core.views.describe import deadline_text
from core.views.tender import tender_facts
from storage.db import close_database
from tests.fakes import analyse_demo, tender

APPROVER = Actor(name="alice", role=Role.APPROVER)
TODAY = utcnow().replace(hour=9, minute=0, second=0, microsecond=0)


def next_leap_day(after: datetime) -> datetime:
    year = after.year + 1
    while not calendar.isleap(year):
        year += 1
    return after.replace(year=year, month=2, day=29)


CLOCKS = {
    "today": TODAY,
    "in 18 months": TODAY + timedelta(days=548),
    "a leap day": next_leap_day(TODAY + timedelta(days=365)),
}


def notices_around(now: datetime) -> list[Tender]:
    """Relevant notices that would all be bids, were they open."""

    def notice(ref: str, deadline: datetime | None) -> Tender:
        return tender(
            f"Penetration testing and SOC monitoring ({ref})",
            source_id=ref,
            description="Penetration testing, vulnerability assessment and a managed SOC.",
            cpv_codes=["72212730-5"],
            value_amount=400_000.0,
            value_currency="GBP",
            deadline=deadline,
        )

    return [
        notice("CLOSED-LAST-MONTH", now - timedelta(days=30)),
        notice("CLOSED-YESTERDAY", now - timedelta(days=1, hours=2)),
        notice("CLOSES-TODAY", now + timedelta(hours=5)),
        notice("CLOSES-NEXT-WEEK", now + timedelta(days=7)),
        notice("NO-DEADLINE", None),
    ]


def reopen_the_closed_ones(ctx: AppContext) -> None:
    """Closed notices rest rated low; an approver puts them back in the queue for a look."""
    review = ctx.review()
    for state in ctx.tenders.all_states():
        if state.tender.source_id.startswith("CLOSED-"):
            review.reopen(state.tender.id or 0, APPROVER, "Ask whether the buyer extends it")


def _after_dot(text: str) -> str:
    """'3 Dec 2026 12:00 UTC · 12 days left' → '12 days left' (the part relative to now)."""
    return text.rsplit("·", 1)[-1].strip()


def what_a_bid_manager_sees(ctx: AppContext) -> dict[str, Any]:
    now = ctx.clock()
    states = {s.tender.source_id: s for s in ctx.tenders.all_states()}
    queue = ctx.review().queue()
    kpis = DashboardService.from_context(ctx).kpis(DashboardFilters())
    return {
        "status": {ref: s.status.value for ref, s in states.items()},
        "scores": {
            ref: (s.rating.overall_score, s.rating.win_probability, s.rating.recommendation)
            for ref, s in states.items()
            if s.rating
        },
        "confidence": {ref: s.filter.confidence for ref, s in states.items() if s.filter},
        "queue": [(i.state.tender.source_id, i.stage.value, i.proposal.value) for i in queue],
        "days left": {
            ref: _after_dot(deadline_text(s.tender.deadline, now)) for ref, s in states.items()
        },
        "facts": {
            ref: _after_dot(dict(tender_facts(s, now).facts)["Deadline"])
            for ref, s in states.items()
        },
        "next deadlines": [(d.title, d.days_left) for d in kpis.next_deadlines],
        "demo deadlines": {
            ref: (s.tender.deadline - now) if s.tender.deadline else None
            for ref, s in states.items()
            if ref and ref.startswith("DEMO-")
        },
    }


@pytest.fixture(scope="module")
def seen(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, dict[str, Any]]]:
    folder = tmp_path_factory.mktemp("clock_guard")
    results = {}
    for name, now in CLOCKS.items():
        path = folder / f"{name.replace(' ', '_')}.duckdb"
        ctx = open_context(db_path=path, clock=lambda now=now: now)
        try:
            ctx.tenders.import_tenders(notices_around(now), "around-now.json")
            analyse_demo(ctx)
            reopen_the_closed_ones(ctx)
            results[name] = what_a_bid_manager_sees(ctx)
        finally:
            close_database(Path(path))
    yield results


def test_the_reference_run_has_open_closed_and_undated_tenders(seen) -> None:
    today = seen["today"]
    assert today["days left"]["CLOSED-LAST-MONTH"] == "closed 30 days ago"
    assert today["days left"]["CLOSED-YESTERDAY"] == "closed 1 day ago"
    assert today["days left"]["CLOSES-TODAY"] == "closes today"
    assert today["days left"]["CLOSES-NEXT-WEEK"] == "7 days left"
    assert today["days left"]["NO-DEADLINE"] == "not stated"
    # a closed tender cannot be bid for: it is rated low, whatever its fit
    assert today["scores"]["CLOSED-LAST-MONTH"][2] == "no_bid"
    assert today["scores"]["CLOSED-YESTERDAY"][2] == "no_bid"
    assert today["scores"]["CLOSES-NEXT-WEEK"][2] != "no_bid"
    assert today["status"]["CLOSES-NEXT-WEEK"] == "needs_review"
    queued = [ref for ref, _, _ in today["queue"]]
    assert queued.index("CLOSES-NEXT-WEEK") < queued.index("NO-DEADLINE")
    assert queued[-2:] == ["CLOSED-YESTERDAY", "CLOSED-LAST-MONTH"], "closed ones last"
    open_demo = [ref for ref in queued if ref.startswith("DEMO-")]
    by_deadline = sorted(open_demo, key=lambda ref: today["demo deadlines"][ref])
    assert open_demo == by_deadline, "open tenders wait soonest deadline first"
    assert today["next deadlines"], "the dashboard lists upcoming deadlines"
    assert all(left >= 0 for _, left in today["next deadlines"])
    assert all(d > timedelta(0) for d in today["demo deadlines"].values()), "the demo is open"


@pytest.mark.parametrize("later", [name for name in CLOCKS if name != "today"])
def test_later_clocks_see_exactly_the_same(seen, later: str) -> None:
    for part, reference in seen["today"].items():
        assert seen[later][part] == reference, f"{part} differs {later}"
