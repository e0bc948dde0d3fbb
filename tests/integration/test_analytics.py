"""The dashboard's SQL against a real DuckDB file: KPIs, bins, caps and filters."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

import core.views.dashboard as dashboard
from core.bootstrap import AppContext
from core.models import (
    BidDocument,
    FilterResult,
    RatingResult,
    Recommendation,
    StageOutcome,
    Tender,
    TenderStatus,
)
from core.profile.company import default_profile
from core.profile.rates import ExchangeRates
from core.views.dashboard import DashboardFilters, DashboardService
from storage.analytics import AnalyticsRepository

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)  # a Wednesday


def _tender(i: int, **fields: object) -> Tender:
    values: dict[str, object] = {
        "source": "test",
        "source_id": f"T-{i}",
        "title": f"Tender {i}",
        "buyer": f"Buyer {i}",
        "deadline": NOW + timedelta(days=i),
    }
    values.update(fields)
    return Tender.model_validate(values)


def _rated(
    tender_id: int, score: float, *, categories: list[str], status: TenderStatus
) -> StageOutcome:
    rec = Recommendation.BID if score >= 7 else Recommendation.CONSIDER
    bid = None
    if status is TenderStatus.COMPLETE:
        bid = BidDocument(
            executive_summary="s", technical_approach="t", value_proposition="v",
            timeline_estimate="w",
        )  # fmt: skip
    return StageOutcome(
        tender_id=tender_id,
        filter=FilterResult(is_relevant=True, confidence=0.9, categories=categories),
        rating=RatingResult(
            overall_score=score,
            strategic_fit=score,
            win_probability=10 - score,
            effort_required=5,
            recommendation=rec,
        ),
        bid=bid,
        status=status,
    )


@pytest.fixture
def seeded(ctx: AppContext) -> AppContext:
    """8 tenders: 5 relevant and rated, 2 filtered out, 1 pending."""
    tenders = [
        _tender(1, title="SOC monitoring", value_amount=100_000, value_currency="EUR"),
        _tender(2, title="Data platform", value_amount=250_000, value_currency="EUR"),
        _tender(3, title="Pen test", value_amount=80_000, value_currency="GBP"),
        _tender(4, title="Portal rebuild", buyer="City of 100% Fun"),
        _tender(5, title="AI chatbot", value_amount=50_000, value_currency="EUR"),
        _tender(6, title="Catering", value_amount=1_000_000, value_currency="EUR"),
        _tender(7, title="Road works", deadline=NOW - timedelta(days=3)),
        _tender(8, title="Fresh import"),
    ]
    new, _ = ctx.tenders.add_tenders(tenders)
    assert new == 8
    ids = {s.tender.title: s.tender.id for s in ctx.tenders.all_states()}
    outcomes = [
        _rated(ids["SOC monitoring"], 8.0, categories=["Cyber"], status=TenderStatus.COMPLETE),
        _rated(
            ids["Data platform"], 6.5, categories=["AI", "Software"], status=TenderStatus.COMPLETE
        ),
        _rated(ids["Pen test"], 10.0, categories=["Cyber"], status=TenderStatus.NEEDS_REVIEW),
        _rated(ids["Portal rebuild"], 4.2, categories=["Software"], status=TenderStatus.RATED_LOW),
        _rated(ids["AI chatbot"], 0.0, categories=["AI"], status=TenderStatus.RATED_LOW),
    ]
    for title in ("Catering", "Road works"):
        outcomes.append(
            StageOutcome(
                tender_id=ids[title],
                # a capability matched, but an exclusion won: not counted per capability
                filter=FilterResult(is_relevant=False, confidence=0.95, categories=["Software"]),
                status=TenderStatus.FILTERED_OUT,
            )
        )
    ctx.tenders.save_outcomes(outcomes)
    return ctx


def _service(ctx: AppContext) -> DashboardService:
    return DashboardService(
        AnalyticsRepository(ctx.db),
        default_profile(),
        clock=lambda: NOW,
        states=ctx.tenders.states,
    )


def test_kpis_count_relevant_rated_and_bids(seeded: AppContext) -> None:
    kpis = _service(seeded).kpis(DashboardFilters())
    assert (kpis.tenders, kpis.relevant, kpis.rated, kpis.bids_ready) == (8, 5, 5, 2)
    assert kpis.average_score == pytest.approx((8 + 6.5 + 10 + 4.2 + 0) / 5, abs=0.01)


def test_value_of_relevant_tenders_is_split_by_currency(seeded: AppContext) -> None:
    kpis = _service(seeded).kpis(DashboardFilters())
    assert kpis.main_currency == "EUR"
    assert kpis.relevant_value is not None
    # Catering (1,000,000 EUR) is filtered out, so it does not count.
    assert kpis.relevant_value.amount == 400_000
    assert kpis.relevant_value.tenders == 3
    assert [(m.currency, m.amount) for m in kpis.other_values] == [("GBP", 80_000)]


def test_with_the_teams_exchange_rates_other_currencies_are_counted_as_converted(
    seeded: AppContext,
) -> None:
    as_of = NOW.date() - timedelta(days=2)
    rates = ExchangeRates(base="EUR", as_of=as_of, rates={"GBP": 1.2})
    profile = default_profile().model_copy(update={"exchange_rates": rates})
    service = DashboardService(AnalyticsRepository(seeded.db), profile, clock=lambda: NOW)
    kpis = service.kpis(DashboardFilters())
    assert kpis.relevant_value is not None
    assert kpis.relevant_value.amount == pytest.approx(400_000 + 80_000 * 1.2)
    assert kpis.relevant_value.tenders == 4
    assert [(m.currency, m.amount) for m in kpis.converted] == [("GBP", 80_000)]  # as published
    assert kpis.other_values == [] and kpis.rates_as_of == as_of
    # rates to another currency than the profile's are not used
    stale = profile.model_copy(update={"currency": "SEK"})
    kpis = DashboardService(AnalyticsRepository(seeded.db), stale, clock=lambda: NOW).kpis(
        DashboardFilters()
    )
    assert kpis.converted == [] and kpis.main_currency == "EUR"


def test_next_deadlines_are_future_relevant_ones_in_order(seeded: AppContext) -> None:
    upcoming = _service(seeded).kpis(DashboardFilters()).next_deadlines
    assert [d.title for d in upcoming] == [
        "SOC monitoring",
        "Data platform",
        "Pen test",
        "Portal rebuild",
        "AI chatbot",
    ]
    assert upcoming[0].days_left == 1


def test_histogram_has_twenty_bins_and_puts_ten_in_the_last(seeded: AppContext) -> None:
    bins = _service(seeded).score_histogram(DashboardFilters())
    assert len(bins) == 20
    assert bins.bin_start.tolist()[:3] == [0.0, 0.5, 1.0]
    counts = dict(zip(bins.bin_start, bins.tenders, strict=True))
    assert counts[0.0] == 1  # 0.0
    assert counts[4.0] == 1  # 4.2
    assert counts[6.5] == 1  # 6.5 starts its own bin
    assert counts[8.0] == 1
    assert counts[9.5] == 1  # 10.0 is clamped into the top bin
    assert bins.tenders.sum() == 5
    assert bins.label.iloc[-1] == "9.5–10.0"


def test_funnel_uses_the_bid_threshold(seeded: AppContext) -> None:
    funnel = _service(seeded).funnel(DashboardFilters())
    assert [s.tenders for s in funnel.stages] == [8, 5, 3, 2]  # ≥ 6.0: 8, 6.5, 10
    assert funnel.by_status["filtered_out"] == 2
    assert funnel.by_status["pending"] == 1
    assert funnel.by_status["error"] == 0


def test_categories_count_relevant_tenders_only(seeded: AppContext) -> None:
    cats = _service(seeded).category_counts(DashboardFilters())
    assert dict(zip(cats.category, cats.tenders, strict=True)) == {
        "Cyber": 2,
        "AI": 2,
        "Software": 2,
    }


def test_deadlines_per_week_covers_26_weeks_of_relevant_tenders(seeded: AppContext) -> None:
    weeks = _service(seeded).deadlines_per_week(DashboardFilters())
    assert len(weeks) == 26
    # NOW is Wednesday 4 March: days +1..+4 fall this week, +5 (Monday 9 March) in the next.
    assert weeks.tenders.tolist()[:2] == [4, 1]
    assert weeks.tenders.sum() == 5


def test_table_sorts_by_score_then_deadline_and_labels_status(seeded: AppContext) -> None:
    page = _service(seeded).table(DashboardFilters())
    assert page.total == 8
    assert not page.capped
    assert page.rows.title.tolist() == [
        "Pen test",
        "SOC monitoring",
        "Data platform",
        "Portal rebuild",
        "AI chatbot",
        # unrated tenders last, nearest deadline first
        "Road works",
        "Catering",
        "Fresh import",
    ]
    assert page.rows.status.iloc[0] == TenderStatus.NEEDS_REVIEW.label
    assert page.rows.recommendation.iloc[0] == Recommendation.BID.label
    assert page.rows.categories.iloc[2] == ["AI", "Software"]


def test_table_and_scatter_are_capped(seeded: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    service = _service(seeded)
    page = service.table(DashboardFilters(), limit=3)
    assert (len(page.rows), page.total, page.capped) == (3, 8, True)
    monkeypatch.setattr(dashboard, "SCATTER_CAP", 2)
    scatter = service.score_points(DashboardFilters())
    assert len(scatter.points) == 2
    assert scatter.rated == 5
    assert scatter.capped
    assert scatter.points.overall_score.tolist() == [10.0, 8.0]
    assert (scatter.points.bubble > 0).all()


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (DashboardFilters(statuses=[TenderStatus.RATED_LOW]), {"Portal rebuild", "AI chatbot"}),
        (DashboardFilters(categories=["Cyber"]), {"SOC monitoring", "Pen test"}),
        (
            DashboardFilters(recommendations=[Recommendation.BID]),
            {"SOC monitoring", "Pen test"},
        ),
        (DashboardFilters(min_score=6.5), {"SOC monitoring", "Pen test", "Data platform"}),
        (DashboardFilters(search="PLATFORM"), {"Data platform"}),
        (DashboardFilters(search="100%"), {"Portal rebuild"}),  # % is literal, not a wildcard
        (DashboardFilters(search="buyer 8"), {"Fresh import"}),
        (
            DashboardFilters(deadline_from=date(2026, 3, 6), deadline_to=date(2026, 3, 7)),
            {"Data platform", "Pen test"},
        ),
        (
            DashboardFilters(only_relevant=True),
            {"SOC monitoring", "Data platform", "Pen test", "Portal rebuild", "AI chatbot"},
        ),
    ],
)
def test_filters(seeded: AppContext, filters: DashboardFilters, expected: set[str]) -> None:
    service = _service(seeded)
    page = service.table(filters)
    assert set(page.rows.title) == expected
    assert service.kpis(filters).tenders == len(expected)


def test_filters_reject_reversed_deadlines() -> None:
    with pytest.raises(ValueError, match="after"):
        DashboardFilters(deadline_from=date(2026, 5, 1), deadline_to=date(2026, 4, 1))


def test_empty_database_gives_zeros_and_empty_frames(ctx: AppContext) -> None:
    service = _service(ctx)
    kpis = service.kpis(DashboardFilters())
    assert (kpis.tenders, kpis.relevant, kpis.average_score) == (0, 0, None)
    assert kpis.relevant_value is None
    assert service.score_histogram(DashboardFilters()).tenders.sum() == 0
    assert service.score_points(DashboardFilters()).points.empty
    assert service.category_counts(DashboardFilters()).empty
    assert service.table(DashboardFilters()).total == 0
    assert service.filter_options().earliest_deadline is None


def test_choices_put_relevant_best_scored_first(seeded: AppContext) -> None:
    choices = _service(seeded).tender_choices()
    assert next(iter(choices.values())) == "Pen test — Buyer 3"
    assert len(choices) == 8
    assert list(_service(seeded).tender_choices("chatbot").values()) == ["AI chatbot — Buyer 5"]


def test_csv_has_every_filtered_row(seeded: AppContext) -> None:
    csv = _service(seeded).table_file(DashboardFilters(only_relevant=True), "csv").decode()
    assert csv.count("\n") == 6  # header + 5
    assert "Cyber" in csv


def test_headline_currency_falls_back_to_the_most_used_one(seeded: AppContext) -> None:
    profile = default_profile().model_copy(update={"currency": "SEK"})
    service = DashboardService(AnalyticsRepository(seeded.db), profile, clock=lambda: NOW)
    kpis = service.kpis(DashboardFilters())
    assert kpis.main_currency == "EUR"  # no relevant tender is valued in SEK
    assert kpis.relevant_value is not None and kpis.relevant_value.amount == 400_000


def test_scatter_sizes_by_main_currency_and_says_so(
    seeded: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    scatter = _service(seeded).score_points(DashboardFilters())
    assert scatter.size_currency == "EUR"
    assert scatter.sized
    bubbles = dict(zip(scatter.points.title, scatter.points.bubble, strict=True))
    assert bubbles["Data platform"] > bubbles["SOC monitoring"] > bubbles["Pen test"]
    assert bubbles["Pen test"] == bubbles["Portal rebuild"]  # GBP and no value: smallest
    assert "value in EUR" in scatter.caption
    assert "best-scored" not in scatter.caption
    monkeypatch.setattr(dashboard, "SCATTER_CAP", 2)
    capped = _service(seeded).score_points(DashboardFilters())
    assert "Showing the 2 best-scored of 5 rated tenders." in capped.caption
