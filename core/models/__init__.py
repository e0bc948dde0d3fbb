"""Domain types shared by every layer. Pure pydantic: no storage, no UI.

One module per part of the domain; every name is re-exported here, so `storage/` and
the rest import `core.models` and need not know the split.
"""

from __future__ import annotations

from core.models.access import Account, AccountExists, AuthSession, Role
from core.models.analysis import (
    BID_SECTIONS,
    NOTICE_ANALYST,
    PERSON_ANALYST,
    AnalysisProvenance,
    BidDocument,
    FilterResult,
    LLMUsage,
    RatingResult,
    Recommendation,
)
from core.models.base import LongText, Score, ShortText, utcnow
from core.models.bids import BidConflict, BidStatus, BidVersion
from core.models.imports import ImportCounts, ImportSummary, ParsedFile, RowError
from core.models.learning import EvaluationRecord, TeamModelRecord
from core.models.pipeline import Claim, StageOutcome, TenderState
from core.models.queries import KpiRow, TenderQuery
from core.models.review import (
    Decision,
    DecisionAction,
    DecisionConflict,
    Proposal,
    ReviewStage,
    newest_labels,
)
from core.models.tender import (
    CLAIMABLE_STATUSES,
    MERGED_FIELDS,
    RESTING_STATUSES,
    SUBSTANTIVE_FIELDS,
    VERSIONED_FIELDS,
    Classification,
    Lot,
    NoticeDocument,
    NoticeType,
    Tender,
    TenderStatus,
    TenderVersion,
)

__all__ = [
    "BID_SECTIONS",
    "CLAIMABLE_STATUSES",
    "MERGED_FIELDS",
    "NOTICE_ANALYST",
    "PERSON_ANALYST",
    "RESTING_STATUSES",
    "SUBSTANTIVE_FIELDS",
    "VERSIONED_FIELDS",
    "Account",
    "AccountExists",
    "AnalysisProvenance",
    "AuthSession",
    "BidConflict",
    "BidDocument",
    "BidStatus",
    "BidVersion",
    "Claim",
    "Classification",
    "Decision",
    "DecisionAction",
    "DecisionConflict",
    "EvaluationRecord",
    "FilterResult",
    "ImportCounts",
    "ImportSummary",
    "KpiRow",
    "LLMUsage",
    "LongText",
    "Lot",
    "NoticeDocument",
    "NoticeType",
    "ParsedFile",
    "Proposal",
    "RatingResult",
    "Recommendation",
    "ReviewStage",
    "Role",
    "RowError",
    "Score",
    "ShortText",
    "StageOutcome",
    "TeamModelRecord",
    "Tender",
    "TenderQuery",
    "TenderState",
    "TenderStatus",
    "TenderVersion",
    "newest_labels",
    "utcnow",
]
