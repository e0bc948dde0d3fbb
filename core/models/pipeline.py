"""A tender with its processing state, as the pipeline claims and advances it."""

from __future__ import annotations

from pydantic import BaseModel, Field

from core.models.analysis import BidDocument, FilterResult, RatingResult
from core.models.review import ReviewStage
from core.models.tender import Tender, TenderStatus


class TenderState(BaseModel):
    """A tender with its processing state and whatever analysis exists so far."""

    tender: Tender
    status: TenderStatus
    error: str | None = None
    review_stage: ReviewStage | None = None
    filter: FilterResult | None = None
    rating: RatingResult | None = None
    bid: BidDocument | None = None


class StageOutcome(BaseModel):
    """What one pipeline step produced for a tender; `status=None` means it is still in progress."""

    tender_id: int
    filter: FilterResult | None = None
    rating: RatingResult | None = None
    bid: BidDocument | None = None
    status: TenderStatus | None = None
    error: str | None = None
    review_stage: ReviewStage | None = None
    # Set when the analyst was unavailable and the tender was put back; never stored.
    unavailable: str | None = Field(default=None, exclude=True)


class Claim(BaseModel):
    """A tender the worker holds under a lease, with the status it was claimed from."""

    state: TenderState
    claimed_from: TenderStatus
