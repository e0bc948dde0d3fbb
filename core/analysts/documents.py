"""Any analyst, reading the tender's compliance matrix as well as its notice.

The rating keeps the analyst's judgement and adds what the documents say: mandatory
requirements the company may not meet are named risks and lower the win probability
(core.documents.fit). The draft gets, at the end of its technical approach, the answer to the
requirements and weighted criteria, citing their refs (core.documents.answers). Tenders
without documents are rated and written exactly as the analyst does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.analysts.base import Analyst
from core.documents.answers import with_block
from core.documents.fit import rated_with_requirements
from core.models import BidDocument, FilterResult, RatingResult, Tender
from core.models.documents import RequirementRow
from core.profile.company import CompanyProfile

Rows = Callable[[int], list[RequirementRow]]


class WithDocuments:
    def __init__(self, analyst: Analyst, rows_of: Rows) -> None:
        self._analyst = analyst
        self._rows_of = rows_of  # the tender's matrix ([] without documents)

    def __getattr__(self, name: str) -> Any:  # name, screen, prepare, recover… as the analyst's
        return getattr(self._analyst, name)

    @property
    def name(self) -> str:
        return self._analyst.name

    @property
    def analyst(self) -> Analyst:
        """The analyst it wraps."""
        return self._analyst

    def filter(self, tender: Tender, profile: CompanyProfile) -> FilterResult:
        return self._analyst.filter(tender, profile)

    def rate(
        self, tender: Tender, profile: CompanyProfile, relevance: FilterResult
    ) -> RatingResult:
        rating = self._analyst.rate(tender, profile, relevance)
        rows = self._rows(tender)
        return rated_with_requirements(rating, rows, profile) if rows else rating

    def write(
        self,
        tender: Tender,
        profile: CompanyProfile,
        relevance: FilterResult,
        rating: RatingResult,
    ) -> BidDocument:
        draft = self._analyst.write(tender, profile, relevance, rating)
        rows = self._rows(tender)
        if not rows:
            return draft
        return draft.model_copy(
            update={"technical_approach": with_block(draft.technical_approach, rows)}
        )

    def _rows(self, tender: Tender) -> list[RequirementRow]:
        return self._rows_of(tender.id) if tender.id is not None else []
