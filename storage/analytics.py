"""Read-only SQL for the dashboard: every aggregate is computed in DuckDB, never in Python.

All queries start from the same filtered view of tenders joined with their analysis, so the
KPIs, the charts and the table always describe the same set of tenders.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd

from core.models import NOTICE_ANALYST, PERSON_ANALYST, KpiRow, TenderQuery
from storage.db import Database

# A tender is "relevant" when the filter said so and it was not filtered out afterwards
# (too little confidence, or a reviewer's no).
_RELEVANT = "(coalesce(f.is_relevant, false) AND t.status <> 'filtered_out')"

_BASE_SELECT = f"""
SELECT
    t.id, t.title, t.buyer, t.status, t.deadline, t.value_amount, t.value_currency,
    t.country, t.source,
    f.confidence, coalesce(f.categories, []) AS categories,
    r.overall_score, r.strategic_fit, r.win_probability, r.effort_required, r.recommendation,
    coalesce(r.analyst, f.analyst) AS analyst,
    {_RELEVANT} AS relevant
FROM tenders t
LEFT JOIN filter_results f ON f.tender_id = t.id
LEFT JOIN ratings r ON r.tender_id = t.id
"""

SCORE_BIN_WIDTH = 0.5
SCORE_BINS = 20  # 0–10 in steps of 0.5


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _where(query: TenderQuery) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if query.statuses:
        clauses.append("list_contains(?::VARCHAR[], t.status)")
        params.append(list(query.statuses))
    if query.categories:
        clauses.append("list_has_any(coalesce(f.categories, []), ?::VARCHAR[])")
        params.append(list(query.categories))
    if query.recommendations:
        clauses.append("list_contains(?::VARCHAR[], r.recommendation)")
        params.append(list(query.recommendations))
    if query.min_score is not None and query.min_score > 0:
        clauses.append("r.overall_score >= ?")
        params.append(query.min_score)
    search = query.search.strip()
    if search:
        pattern = f"%{_escape_like(search)}%"
        clauses.append("(t.title ILIKE ? ESCAPE '\\' OR t.buyer ILIKE ? ESCAPE '\\')")
        params.extend([pattern, pattern])
    if query.deadline_from is not None:
        clauses.append("t.deadline >= ?::DATE")
        params.append(query.deadline_from)
    if query.deadline_to is not None:
        # inclusive of the whole last day
        clauses.append("t.deadline < ?::DATE + INTERVAL 1 DAY")
        params.append(query.deadline_to)
    if query.only_relevant:
        clauses.append(_RELEVANT)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _over_base(sql: str, query: TenderQuery, extra: list[Any] | None) -> tuple[str, list[Any]]:
    """`sql` run over `base`: the filtered tenders with their analysis."""
    where, params = _where(query)
    return f"WITH base AS ({_BASE_SELECT}{where}) {sql}", params + (extra or [])


class AnalyticsRepository:
    """Aggregates over tenders and their analysis for the dashboard."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def _frame(self, sql: str, query: TenderQuery, extra: list[Any] | None = None) -> pd.DataFrame:
        full, params = _over_base(sql, query, extra)
        # Via a relation and Arrow: DuckDB's .df() trips pandas 3 deprecation warnings, and
        # Arrow from execute() copies. A relation needs the cursor's last result finished.
        cursor = self._db.cursor()
        cursor.complete()
        relation = cursor.sql(full, params=params)
        assert relation is not None, "a SELECT always gives a relation"
        return relation.to_arrow_table().to_pandas()

    def _row(self, sql: str, query: TenderQuery, extra: list[Any] | None = None) -> tuple:
        full, params = _over_base(sql, query, extra)
        rows = self._db.cursor().execute(full, params).fetchall()
        assert rows, "aggregate queries always return a row"
        return rows[0]

    # ------------------------------------------------------------------ KPIs
    def kpis(self, query: TenderQuery) -> KpiRow:
        row = self._row(
            """
            SELECT count(*),
                   count(*) FILTER (WHERE relevant),
                   count(overall_score),
                   avg(overall_score),
                   count(*) FILTER (WHERE status = 'complete')
            FROM base
            """,
            query,
        )
        return KpiRow(
            tenders=int(row[0]),
            relevant=int(row[1]),
            rated=int(row[2]),
            average_score=float(row[3]) if row[3] is not None else None,
            bids_ready=int(row[4]),
        )

    def relevant_value_by_currency(self, query: TenderQuery) -> pd.DataFrame:
        """currency, total, tenders: the summed value of relevant tenders, largest first."""
        return self._frame(
            """
            SELECT coalesce(value_currency, '') AS currency,
                   sum(value_amount) AS total,
                   count(*) AS tenders
            FROM base
            WHERE relevant AND value_amount IS NOT NULL
            GROUP BY 1
            ORDER BY total DESC
            """,
            query,
        )

    def next_deadlines(self, query: TenderQuery, now: datetime, limit: int = 5) -> pd.DataFrame:
        return self._frame(
            """
            SELECT id, title, buyer, deadline, status, overall_score
            FROM base
            WHERE relevant AND deadline >= ?
            ORDER BY deadline, id
            LIMIT ?
            """,
            query,
            [now, limit],
        )

    # ---------------------------------------------------------------- charts
    def score_points(self, query: TenderQuery, limit: int) -> pd.DataFrame:
        """Rated tenders for the fit × win scatter, best overall score first."""
        return self._frame(
            """
            SELECT id, title, buyer, overall_score, strategic_fit, win_probability,
                   recommendation, value_amount, value_currency, status
            FROM base
            WHERE overall_score IS NOT NULL
            ORDER BY overall_score DESC, id
            LIMIT ?
            """,
            query,
            [limit],
        )

    def score_histogram(self, query: TenderQuery) -> pd.DataFrame:
        """bin_start, bin_end, tenders for every 0.5-wide bin from 0 to 10 (empty bins too)."""
        return self._frame(
            f"""
            , bins AS (
                SELECT range AS bin FROM range({SCORE_BINS})
            ), counted AS (
                SELECT least(floor(overall_score / {SCORE_BIN_WIDTH}), {SCORE_BINS - 1})::BIGINT
                         AS bin,
                       count(*) AS tenders
                FROM base
                WHERE overall_score IS NOT NULL
                GROUP BY 1
            )
            SELECT bins.bin * {SCORE_BIN_WIDTH} AS bin_start,
                   (bins.bin + 1) * {SCORE_BIN_WIDTH} AS bin_end,
                   coalesce(counted.tenders, 0) AS tenders
            FROM bins LEFT JOIN counted USING (bin)
            ORDER BY bins.bin
            """,
            query,
        )

    def funnel(self, query: TenderQuery, min_bid_score: float) -> tuple[int, int, int, int]:
        """(imported, relevant, rated at or above the bid threshold, bid ready)."""
        row = self._row(
            """
            SELECT count(*),
                   count(*) FILTER (WHERE relevant),
                   count(*) FILTER (WHERE relevant AND overall_score >= ?),
                   count(*) FILTER (WHERE status = 'complete')
            FROM base
            """,
            query,
            [min_bid_score],
        )
        return int(row[0]), int(row[1]), int(row[2]), int(row[3])

    def counts_by_status(self, query: TenderQuery) -> dict[str, int]:
        frame = self._frame("SELECT status, count(*) AS n FROM base GROUP BY 1", query)
        return {str(s): int(n) for s, n in zip(frame["status"], frame["n"], strict=True)}

    def category_counts(self, query: TenderQuery) -> pd.DataFrame:
        """category, tenders: how many relevant tenders fall in each capability category."""
        return self._frame(
            """
            SELECT category, count(*) AS tenders
            FROM (SELECT unnest(categories) AS category FROM base WHERE relevant)
            GROUP BY 1
            ORDER BY tenders DESC, category
            """,
            query,
        )

    def deadlines_per_week(self, query: TenderQuery, now: datetime, weeks: int) -> pd.DataFrame:
        """week (a Monday), tenders: relevant tenders closing each week from now on."""
        return self._frame(
            """
            , weeks AS (
                SELECT unnest(generate_series(
                    date_trunc('week', ?::TIMESTAMPTZ),
                    date_trunc('week', ?::TIMESTAMPTZ) + to_weeks(? - 1),
                    INTERVAL 1 WEEK)) AS week
            ), counted AS (
                SELECT date_trunc('week', deadline) AS week, count(*) AS tenders
                FROM base
                WHERE relevant AND deadline >= ? AND deadline < ? + to_weeks(?)
                GROUP BY 1
            )
            SELECT weeks.week, coalesce(counted.tenders, 0) AS tenders
            FROM weeks LEFT JOIN counted USING (week)
            ORDER BY weeks.week
            """,
            query,
            [now, now, weeks, now, now, weeks],
        )

    # ----------------------------------------------------------------- table
    def table(self, query: TenderQuery, limit: int) -> pd.DataFrame:
        """One row per tender, best overall score first, then the nearest deadline."""
        return self._frame(
            """
            SELECT id, title, buyer, status, overall_score, strategic_fit, win_probability,
                   effort_required, confidence, recommendation, categories, value_amount,
                   value_currency, deadline, country, analyst
            FROM base
            ORDER BY overall_score DESC NULLS LAST, deadline NULLS LAST, id
            LIMIT ?
            """,
            query,
            [limit],
        )

    def count(self, query: TenderQuery) -> int:
        return int(self._row("SELECT count(*) FROM base", query)[0])

    def count_rated(self, query: TenderQuery) -> int:
        return int(self._row("SELECT count(overall_score) FROM base", query)[0])

    # --------------------------------------------------------------- choices
    def known_categories(self) -> list[str]:
        rows = (
            self._db.cursor()
            .execute("SELECT DISTINCT unnest(categories) AS c FROM filter_results ORDER BY c")
            .fetchall()
        )
        return [str(r[0]) for r in rows]

    def deadline_range(self) -> tuple[datetime | None, datetime | None]:
        rows = (
            self._db.cursor().execute("SELECT min(deadline), max(deadline) FROM tenders").fetchall()
        )
        return (rows[0][0], rows[0][1]) if rows else (None, None)

    def tender_choices(self, search: str, limit: int) -> list[tuple[int, str, str | None]]:
        """(id, title, buyer) for the tender picker: relevant first, then by score, deadline."""
        where, params = _where(TenderQuery(search=search))
        rows = (
            self._db.cursor()
            .execute(
                f"""
                SELECT t.id, t.title, t.buyer
                FROM tenders t
                LEFT JOIN filter_results f ON f.tender_id = t.id
                LEFT JOIN ratings r ON r.tender_id = t.id
                {where}
                ORDER BY {_RELEVANT} DESC, r.overall_score DESC NULLS LAST,
                         t.deadline NULLS LAST, t.id
                LIMIT ?
                """,
                [*params, limit],
            )
            .fetchall()
        )
        return [(int(i), str(title), buyer) for i, title, buyer in rows]

    def verdict_confidences(self) -> list[float]:
        """The analyst's relevance confidence on every analysed tender (people's own verdicts
        and notices nobody can bid for are left out): what an auto-accept level would cut."""
        rows = (
            self._db.cursor()
            .execute(
                "SELECT confidence FROM filter_results "
                "WHERE analyst NOT IN (?, ?) ORDER BY confidence",
                [PERSON_ANALYST, NOTICE_ANALYST],
            )
            .fetchall()
        )
        return [float(r[0]) for r in rows]
