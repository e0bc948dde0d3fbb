"""What the dashboard asks the database for, and the KPI row it gets back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class TenderQuery:
    """Which tenders the dashboard looks at; empty fields do not filter."""

    statuses: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    recommendations: tuple[str, ...] = ()
    min_score: float | None = None
    search: str = ""
    deadline_from: date | None = None
    deadline_to: date | None = None
    only_relevant: bool = False


@dataclass(frozen=True)
class KpiRow:
    tenders: int
    relevant: int
    rated: int
    average_score: float | None
    bids_ready: int
