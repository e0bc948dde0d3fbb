"""The Analyst protocol every analyst (rules, LLM) implements."""

from __future__ import annotations

from typing import Protocol

from core.models import BidDocument, FilterResult, RatingResult, Tender
from core.profile.company import CompanyProfile


class Analyst(Protocol):
    """Filter → rate → write. Implementations are thread-safe and never touch storage.

    An analyst may also offer `prepare(tenders, profile)`, which the pipeline calls with each
    batch before filtering it (the rules analyst reads the batch's wording together).

    An analyst that depends on a service raises `core.errors.AnalystUnavailable` when the
    service is down, and may offer `recover() -> str | None` (None: it works again), which
    the worker calls before resuming.
    """

    #: How the UI and `status --json` name this analyst ("rules", "llm:<model>@<base_url>").
    name: str

    def filter(self, tender: Tender, profile: CompanyProfile) -> FilterResult:
        """Is the tender relevant to the company, how sure, in which capability categories."""
        ...

    def rate(
        self, tender: Tender, profile: CompanyProfile, relevance: FilterResult
    ) -> RatingResult:
        """Scores 0–10 (overall, strategic fit, win probability, effort), strengths, risks."""
        ...

    def write(
        self,
        tender: Tender,
        profile: CompanyProfile,
        relevance: FilterResult,
        rating: RatingResult,
    ) -> BidDocument:
        """A bid draft; gaps the analyst cannot fill are marked `[to complete]`."""
        ...
