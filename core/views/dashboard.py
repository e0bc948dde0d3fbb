"""The dashboard's service: KPIs, chart data and the tender table for a set of filters.

Every number is aggregated in DuckDB (storage.analytics); this module turns the dashboard's
filters into a query and the results into typed values the page can render as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

import pandas as pd
from pydantic import BaseModel, Field, model_validator

from core.bootstrap import AppContext
from core.export.table import TableFormat, table_bytes
from core.models import (
    KpiRow,
    Recommendation,
    TenderQuery,
    TenderState,
    TenderStatus,
    utcnow,
)
from core.profile.company import CompanyProfile
from core.views.describe import days_left

SCATTER_CAP = 1_500
TABLE_CAP = 5_000
DEADLINE_WEEKS = 26
NEXT_DEADLINES = 5
CHOICES_CAP = 500


class DashboardFilters(BaseModel):
    """What the bid manager narrowed the dashboard to; the defaults show everything."""

    statuses: list[TenderStatus] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    recommendations: list[Recommendation] = Field(default_factory=list)
    min_score: float = Field(default=0.0, ge=0, le=10)
    search: str = Field(default="", max_length=200)
    deadline_from: date | None = None
    deadline_to: date | None = None
    only_relevant: bool = False

    @model_validator(mode="after")
    def _deadline_order(self) -> DashboardFilters:
        if self.deadline_from and self.deadline_to and self.deadline_from > self.deadline_to:
            raise ValueError("the 'deadline from' date is after the 'deadline to' date")
        return self

    def to_query(self) -> TenderQuery:
        return TenderQuery(
            statuses=tuple(s.value for s in self.statuses),
            categories=tuple(self.categories),
            recommendations=tuple(r.value for r in self.recommendations),
            min_score=self.min_score or None,
            search=self.search,
            deadline_from=self.deadline_from,
            deadline_to=self.deadline_to,
            only_relevant=self.only_relevant,
        )


class Money(BaseModel):
    currency: str
    amount: float
    tenders: int


class UpcomingDeadline(BaseModel):
    tender_id: int
    title: str
    buyer: str | None
    deadline: datetime
    days_left: int


class DashboardKpis(BaseModel):
    tenders: int
    relevant: int
    rated: int
    average_score: float | None
    bids_ready: int
    #: the profile's currency, or the most used one when no relevant tender is valued in it
    main_currency: str
    #: relevant tenders' value in main_currency, converted amounts included (None when no
    #: relevant tender has a value)
    relevant_value: Money | None
    #: values in other currencies left out: no exchange rate to main_currency is set
    other_values: list[Money]
    next_deadlines: list[UpcomingDeadline]
    #: values in other currencies counted in relevant_value at the team's rates, as published
    converted: list[Money] = Field(default_factory=list)
    rates_as_of: date | None = None


class FunnelStage(BaseModel):
    stage: str
    tenders: int


class StatusFunnel(BaseModel):
    stages: list[FunnelStage]
    by_status: dict[str, int]
    min_bid_score: float


@dataclass(frozen=True)
class ScatterData:
    points: pd.DataFrame
    rated: int
    #: bubbles are sized by value in this currency only (values are never converted)
    size_currency: str

    @property
    def capped(self) -> bool:
        return self.rated > len(self.points)

    @property
    def caption(self) -> str:
        text = (
            f"Bubble size: value in {self.size_currency}; other currencies and tenders "
            "without a value are drawn small."
            if self.sized
            else "All bubbles are the same size: no tender here has a comparable value."
        )
        if self.capped:
            text += (
                f" Showing the {len(self.points):,} best-scored of {self.rated:,} rated tenders."
            )
        return text

    @property
    def sized(self) -> bool:
        """False when every bubble would be the same size (no values in size_currency)."""
        return bool(self.points["bubble"].nunique() > 1) if len(self.points) else False


@dataclass(frozen=True)
class TablePage:
    rows: pd.DataFrame
    total: int

    @property
    def capped(self) -> bool:
        return self.total > len(self.rows)


class FilterOptions(BaseModel):
    statuses: list[TenderStatus]
    categories: list[str]
    recommendations: list[Recommendation]
    earliest_deadline: date | None
    latest_deadline: date | None


class Analytics(Protocol):
    """The dashboard's aggregates, computed by the database (storage.analytics has them)."""

    def kpis(self, query: TenderQuery) -> KpiRow: ...
    def relevant_value_by_currency(self, query: TenderQuery) -> pd.DataFrame: ...
    def next_deadlines(self, query: TenderQuery, now: datetime, limit: int = 5) -> pd.DataFrame: ...
    def score_points(self, query: TenderQuery, limit: int) -> pd.DataFrame: ...
    def score_histogram(self, query: TenderQuery) -> pd.DataFrame: ...
    def funnel(self, query: TenderQuery, min_bid_score: float) -> tuple[int, int, int, int]: ...
    def counts_by_status(self, query: TenderQuery) -> dict[str, int]: ...
    def category_counts(self, query: TenderQuery) -> pd.DataFrame: ...
    def deadlines_per_week(self, query: TenderQuery, now: datetime, weeks: int) -> pd.DataFrame: ...
    def table(self, query: TenderQuery, limit: int) -> pd.DataFrame: ...
    def count(self, query: TenderQuery) -> int: ...
    def count_rated(self, query: TenderQuery) -> int: ...
    def known_categories(self) -> list[str]: ...
    def deadline_range(self) -> tuple[datetime | None, datetime | None]: ...
    def tender_choices(self, search: str, limit: int) -> list[tuple[int, str, str | None]]: ...


class DashboardService:
    def __init__(
        self,
        analytics: Analytics,
        profile: CompanyProfile,
        clock: Callable[[], datetime] = utcnow,
        states: Callable[[Sequence[int]], list[TenderState]] | None = None,
    ) -> None:
        self.analytics = analytics
        self.profile = profile
        self.clock = clock
        self._states = states

    @classmethod
    def from_context(cls, ctx: AppContext) -> DashboardService:
        return cls(ctx.analytics, ctx.profile(), ctx.clock, states=ctx.tenders.states)

    # ------------------------------------------------------------- options
    def filter_options(self) -> FilterOptions:
        earliest, latest = self.analytics.deadline_range()
        return FilterOptions(
            statuses=list(TenderStatus),
            categories=self.analytics.known_categories(),
            recommendations=list(Recommendation),
            earliest_deadline=earliest.date() if earliest else None,
            latest_deadline=latest.date() if latest else None,
        )

    # ---------------------------------------------------------------- KPIs
    def kpis(self, filters: DashboardFilters) -> DashboardKpis:
        query = filters.to_query()
        row = self.analytics.kpis(query)
        values = [
            Money(currency=str(c) or "unknown", amount=float(total), tenders=int(n))
            for c, total, n in self.analytics.relevant_value_by_currency(query).itertuples(
                index=False
            )
        ]
        main = _headline_currency(
            self.profile.currency,
            {m.currency: m.tenders for m in values},
            convertible={m.currency for m in values if self._converts(m.currency)},
        )
        own = next((m for m in values if m.currency == main), None)
        converted = [m for m in values if m.currency != main and self._converts(m.currency)]
        if converted and main == self.profile.currency:
            total = (own.amount if own else 0.0) + sum(
                self.profile.in_own_currency(m.amount, m.currency) or 0.0 for m in converted
            )
            count = (own.tenders if own else 0) + sum(m.tenders for m in converted)
            own = Money(currency=main, amount=total, tenders=count)
        else:
            converted = []
        now = self.clock()
        upcoming = [
            UpcomingDeadline(
                tender_id=int(r.id),
                title=str(r.title),
                buyer=None if pd.isna(r.buyer) else str(r.buyer),
                deadline=r.deadline.to_pydatetime(),
                days_left=days_left(r.deadline.to_pydatetime(), now),
            )
            for r in self.analytics.next_deadlines(query, now, NEXT_DEADLINES).itertuples()
        ]
        return DashboardKpis(
            tenders=row.tenders,
            relevant=row.relevant,
            rated=row.rated,
            average_score=round(row.average_score, 2) if row.average_score is not None else None,
            bids_ready=row.bids_ready,
            main_currency=main,
            relevant_value=own,
            other_values=[m for m in values if m.currency != main and m not in converted],
            next_deadlines=upcoming,
            converted=converted,
            rates_as_of=self.profile.exchange_rates.as_of if converted else None,
        )

    def _converts(self, currency: str) -> bool:
        return (
            currency != self.profile.currency
            and self.profile.in_own_currency(1.0, currency) is not None
        )

    # -------------------------------------------------------------- charts
    def score_points(self, filters: DashboardFilters) -> ScatterData:
        """Rated tenders for fit × win (the best SCATTER_CAP by overall score)."""
        query = filters.to_query()
        points = self.analytics.score_points(query, SCATTER_CAP)
        points["recommendation"] = [
            Recommendation(r).label if isinstance(r, str) else "–" for r in points["recommendation"]
        ]
        # Values in the profile's currency, or converted at the team's rates, size a bubble;
        # the rest, and tenders without a value, get the smallest size.
        main = _headline_currency(
            self.profile.currency, points["value_currency"].dropna().value_counts().to_dict()
        )
        table = self.profile.exchange_rates
        factors = {main: 1.0, **(table.rates if table.applies_to(main) else {})}
        amounts = pd.to_numeric(points["value_amount"], errors="coerce")
        comparable = amounts * pd.to_numeric(points["value_currency"].map(factors))
        largest = comparable.max()
        floor = max(float(largest) / 40, 1.0) if pd.notna(largest) else 1.0
        points["bubble"] = comparable.fillna(0).clip(lower=floor)
        return ScatterData(
            points=points, rated=self.analytics.count_rated(query), size_currency=main
        )

    def score_histogram(self, filters: DashboardFilters) -> pd.DataFrame:
        """bin_start, bin_end, tenders, label for the 20 half-point bins from 0 to 10."""
        bins = self.analytics.score_histogram(filters.to_query())
        bins["label"] = [
            f"{a:.1f}–{b:.1f}" for a, b in zip(bins.bin_start, bins.bin_end, strict=True)
        ]
        return bins

    def funnel(self, filters: DashboardFilters) -> StatusFunnel:
        query = filters.to_query()
        threshold = self.profile.thresholds.min_bid_score
        imported, relevant, rated_high, ready = self.analytics.funnel(query, threshold)
        counts = self.analytics.counts_by_status(query)
        return StatusFunnel(
            stages=[
                FunnelStage(stage="Imported", tenders=imported),
                FunnelStage(stage="Relevant", tenders=relevant),
                FunnelStage(stage=f"Rated ≥ {threshold:g}", tenders=rated_high),
                FunnelStage(stage="Bid ready", tenders=ready),
            ],
            by_status={s.value: counts.get(s.value, 0) for s in TenderStatus},
            min_bid_score=threshold,
        )

    def category_counts(self, filters: DashboardFilters) -> pd.DataFrame:
        return self.analytics.category_counts(filters.to_query())

    def deadlines_per_week(self, filters: DashboardFilters) -> pd.DataFrame:
        """week, tenders: relevant tenders closing in each of the next DEADLINE_WEEKS weeks."""
        return self.analytics.deadlines_per_week(filters.to_query(), self.clock(), DEADLINE_WEEKS)

    # --------------------------------------------------------------- table
    def table(self, filters: DashboardFilters, limit: int = TABLE_CAP) -> TablePage:
        query = filters.to_query()
        rows = self.analytics.table(query, limit)
        rows["status"] = [TenderStatus(s).label for s in rows["status"]]
        rows["recommendation"] = [
            Recommendation(r).label if isinstance(r, str) else None for r in rows["recommendation"]
        ]
        rows["categories"] = [list(c) if c is not None else [] for c in rows["categories"]]
        return TablePage(rows=rows, total=self.analytics.count(query))

    def table_file(self, filters: DashboardFilters, fmt: TableFormat) -> bytes:
        """Every filtered tender (not only the rows shown) as CSV or XLSX, formula-safe."""
        if self._states is None:
            raise RuntimeError("DashboardService needs `states` to export the table")
        query = filters.to_query()
        rows = self.analytics.table(query, max(self.analytics.count(query), 1))
        ids = [int(i) for i in rows["id"]]
        order = {tender_id: n for n, tender_id in enumerate(ids)}
        states = sorted(self._states(ids), key=lambda s: order.get(s.tender.id or 0, 0))
        return table_bytes(states, fmt)

    # ------------------------------------------------------------- picker
    def tender_choices(self, search: str = "", limit: int = CHOICES_CAP) -> dict[int, str]:
        """id → "title — buyer" for the tender picker, most relevant first."""
        return {
            tender_id: f"{title} — {buyer}" if buyer else title
            for tender_id, title, buyer in self.analytics.tender_choices(search, limit)
        }


def _headline_currency(
    preferred: str, tenders_per_currency: dict[str, int], convertible: set[str] | None = None
) -> str:
    """The profile's currency when some tenders use it or can be converted to it (the team's
    exchange rates), else the most used one."""
    preferred = preferred.upper()
    used = {c: n for c, n in tenders_per_currency.items() if c and c != "unknown" and n}
    if preferred in used or not used or (convertible and convertible & set(used)):
        return preferred
    return max(sorted(used), key=lambda c: used[c])
