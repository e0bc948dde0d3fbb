"""Domain types shared by every layer. Pure pydantic: no storage, no UI."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000)]
Score = Annotated[float, Field(ge=0, le=10)]


def utcnow() -> datetime:
    return datetime.now(UTC)


class TenderStatus(StrEnum):
    """The status machine in DESIGN.md; the names are a contract with the CLI and the UI."""

    PENDING = "pending"
    PROCESSING = "processing"
    FILTERED_OUT = "filtered_out"
    RATED_LOW = "rated_low"
    NEEDS_REVIEW = "needs_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    COMPLETE = "complete"
    ERROR = "error"

    @property
    def is_resting(self) -> bool:
        """True when no more automatic work is due for the tender."""
        return self in RESTING_STATUSES

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


RESTING_STATUSES = frozenset(
    {
        TenderStatus.FILTERED_OUT,
        TenderStatus.RATED_LOW,
        TenderStatus.NEEDS_REVIEW,
        TenderStatus.REJECTED,
        TenderStatus.COMPLETE,
    }
)
# Statuses the worker picks up: fresh imports, and go decisions waiting for their bid.
CLAIMABLE_STATUSES = frozenset({TenderStatus.PENDING, TenderStatus.APPROVED})


class NoticeType(StrEnum):
    """What a notice announces. Only `tender` notices can be bid for."""

    PLANNING = "planning"  # prior information, market consultation
    TENDER = "tender"  # a call for competition
    AWARD = "award"  # contract award, result
    MODIFICATION = "modification"  # change to a contract already awarded
    CANCELLATION = "cancellation"
    OTHER = "other"

    @property
    def biddable(self) -> bool:
        return self is NoticeType.TENDER

    @property
    def label(self) -> str:
        return {
            "planning": "Planning notice",
            "tender": "Call for tenders",
            "award": "Award notice",
            "modification": "Modification notice",
            "cancellation": "Cancellation notice",
            "other": "Other notice",
        }[self.value]


class Classification(BaseModel):
    """A code in a classification scheme other than CPV (UNSPSC, NAICS, PSC, …), kept as given."""

    scheme: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]
    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
    description: ShortText | None = None


class Lot(BaseModel):
    """One lot of a notice split into lots."""

    id: ShortText | None = None
    title: ShortText | None = None
    description: LongText = ""
    value_amount: float | None = Field(default=None, ge=0)
    value_currency: str | None = Field(default=None, min_length=3, max_length=3)
    cpv_codes: list[str] = Field(default_factory=list)


class NoticeDocument(BaseModel):
    """A document or link published with the notice."""

    title: ShortText | None = None
    url: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2_000)]


class Tender(BaseModel):
    """One procurement notice, as imported. `raw` keeps the source payload untouched.

    `procedure_id` names the procedure across notices (OCDS ocid, eForms ContractFolderID,
    TED procedure reference): a later notice for the same procedure is a new version of the
    same tender. `cpv_codes` are 8-digit CPV codes; other schemes go in `classifications`.
    """

    model_config = ConfigDict(validate_assignment=False)

    id: int | None = None
    source: str
    source_id: str | None = None
    title: ShortText = Field(min_length=1)
    description: LongText = ""
    buyer: ShortText | None = None
    value_amount: float | None = Field(default=None, ge=0)
    value_currency: str | None = Field(default=None, min_length=3, max_length=3)
    deadline: datetime | None = None
    cpv_codes: list[str] = Field(default_factory=list)
    country: str | None = None
    language: str | None = None
    url: str | None = None
    raw: dict[str, Any] = Field(default_factory=dict)
    notice_type: NoticeType = NoticeType.TENDER
    #: the source's own form or tag: TED "F02", eForms "cn-standard", OCDS "tender"…
    form_type: str | None = None
    procedure_id: str | None = None
    published_at: datetime | None = None
    classifications: list[Classification] = Field(default_factory=list)
    lots: list[Lot] = Field(default_factory=list)
    documents: list[NoticeDocument] = Field(default_factory=list)
    #: set by an importer when the notice published no title of its own and the title was
    #: taken from other text (a lot, an item, a description, "Cancellation notice for <ocid>").
    #: Only read when the notice arrives (see merged_over); never stored.
    title_derived: bool = Field(default=False, exclude=True)
    #: earlier notices of the procedure this notice names by their `source_id` (TED: the OJ
    #: numbers of the contract notice an award or corrigendum follows). Read on arrival to
    #: join the tender of that notice when the procedure ids differ; never stored.
    related_notices: list[str] = Field(default_factory=list, exclude=True)

    @property
    def dedupe_key(self) -> str:
        """Same title, buyer and deadline day means the same notice, whatever file it came from."""
        title = " ".join(self.title.lower().split())
        buyer = " ".join((self.buyer or "").lower().split())
        day = self.deadline.date().isoformat() if self.deadline else ""
        return f"{title}|{buyer}|{day}"

    def changes_from(self, older: Tender) -> dict[str, dict[str, Any]]:
        """What this notice changes in an older version of the same procedure.

        {field: {"old": value, "new": value}} over VERSIONED_FIELDS, as JSON-ready values.
        Values are compared as values: the same instant in another time zone (a deadline
        published at 12:00+01:00, stored as 11:00Z) is no change.
        """
        fields = set(VERSIONED_FIELDS)
        mine, theirs = self.model_dump(include=fields), older.model_dump(include=fields)
        changed = {name for name in VERSIONED_FIELDS if mine[name] != theirs[name]}
        new = self.model_dump(mode="json", include=changed)
        old = older.model_dump(mode="json", include=changed)
        return {
            name: {"old": old[name], "new": new[name]}
            for name in VERSIONED_FIELDS
            if name in changed
        }

    def merged_over(self, older: Tender) -> Tender:
        """This later notice of the procedure applied over its stored version `older`.

        OCDS's merge rule (how a compiledRelease is built): a field the notice leaves out
        (None, "", an empty list) keeps its earlier value; a field it gives replaces it. What
        the notice is (notice_type, form_type, published_at, raw) is always this notice's, and
        a title the importer derived never replaces a stored one.
        """
        kept: dict[str, Any] = {
            name: getattr(older, name)
            for name in MERGED_FIELDS
            if getattr(self, name) in (None, "", [])
        }
        if self.title_derived:
            kept["title"], kept["title_derived"] = older.title, older.title_derived
        return self.model_copy(update={"id": older.id, **kept})

    @field_validator("value_currency")
    @classmethod
    def _upper_currency(cls, value: str | None) -> str | None:
        return value.upper() if value else value

    @field_validator("deadline", "published_at")
    @classmethod
    def _aware_deadline(cls, value: datetime | None) -> datetime | None:
        # Deadlines without a zone are taken as UTC so that comparisons never mix naive and aware.
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


# Fields a later notice of the same procedure may change (the rest is the notice's identity).
VERSIONED_FIELDS: tuple[str, ...] = (
    "title",
    "description",
    "buyer",
    "value_amount",
    "value_currency",
    "deadline",
    "cpv_codes",
    "classifications",
    "lots",
    "notice_type",
    "form_type",
    "country",
    "language",
    "url",
    "documents",
    "published_at",
    "source_id",
)
# Fields a later notice leaves as they were when it gives no value (Tender.merged_over): all
# versioned fields but those that describe the notice itself, which always come from the newer
# one, and the title, which is merged by its own rule (a derived title never replaces one).
_NOTICE_OWN = frozenset({"title", "notice_type", "form_type", "published_at"})
MERGED_FIELDS: tuple[str, ...] = (
    *(name for name in VERSIONED_FIELDS if name not in _NOTICE_OWN),
    "procedure_id",
)
# Changes that make the analysis out of date: deadline, value, scope, or what kind of notice.
SUBSTANTIVE_FIELDS = frozenset(
    {
        "title",
        "description",
        "value_amount",
        "value_currency",
        "deadline",
        "cpv_codes",
        "classifications",
        "lots",
        "notice_type",
    }
)


class AnalysisProvenance(BaseModel):
    """Which analyst produced a result, and when."""

    analyst: str = "rules"
    model: str | None = None
    prompt_version: str | None = None
    created_at: datetime = Field(default_factory=utcnow)


class FilterResult(AnalysisProvenance):
    is_relevant: bool
    confidence: float = Field(ge=0, le=1)
    categories: list[ShortText] = Field(default_factory=list)
    reasoning: LongText = ""
    evidence: list[ShortText] = Field(default_factory=list)


class Recommendation(StrEnum):
    BID = "bid"
    CONSIDER = "consider"
    NO_BID = "no_bid"

    @property
    def label(self) -> str:
        return {"bid": "Bid", "consider": "Consider", "no_bid": "No bid"}[self.value]


class RatingResult(AnalysisProvenance):
    overall_score: Score
    strategic_fit: Score
    win_probability: Score
    effort_required: Score
    strengths: list[ShortText] = Field(default_factory=list)
    risks: list[ShortText] = Field(default_factory=list)
    recommendation: Recommendation
    reasoning: LongText = ""


class BidDocument(AnalysisProvenance):
    executive_summary: LongText
    technical_approach: LongText
    value_proposition: LongText
    timeline_estimate: LongText


BID_SECTIONS: tuple[tuple[str, str], ...] = (
    ("executive_summary", "Executive summary"),
    ("technical_approach", "Technical approach"),
    ("value_proposition", "Value proposition"),
    ("timeline_estimate", "Timeline estimate"),
)


class ReviewStage(StrEnum):
    """Why a tender waits for a person (the routing policy in core.review.policy)."""

    RELEVANCE = "relevance"  # the relevance verdict is not confident enough
    SCORE = "score"  # the overall score is close to the bid threshold
    APPROVAL = "approval"  # every bid needs approval
    REOPENED = "reopened"  # a person put a decided tender back in the queue

    @property
    def label(self) -> str:
        return {
            "relevance": "Unsure relevance",
            "score": "Borderline score",
            "approval": "Bid approval",
            "reopened": "Reopened",
        }[self.value]


class TenderVersion(BaseModel):
    """A later notice that changed a stored tender: what changed, when, from which file."""

    tender_id: int
    version: int
    changes: dict[str, dict[str, Any]]
    source_file: str | None = None
    imported_at: datetime
    #: whether the analysis was run again because of it
    reanalysed: bool = False


class ImportCounts(BaseModel):
    new: int = 0
    duplicates: int = 0
    updated: int = 0


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


class Proposal(StrEnum):
    """What the analyst proposes for a tender: write a bid or not."""

    GO = "go"
    NO_GO = "no_go"

    @property
    def label(self) -> str:
        return "Go" if self is Proposal.GO else "No-go"


class DecisionAction(StrEnum):
    ACCEPT = "accept"  # take the analyst's proposal
    GO = "go"  # override: bid
    NO_GO = "no_go"  # override: do not bid
    REOPEN = "reopen"  # put a decided tender back in the review queue

    @property
    def label(self) -> str:
        return {"accept": "Accept", "go": "Go", "no_go": "No-go", "reopen": "Reopen"}[self.value]


class Role(StrEnum):
    VIEWER = "viewer"
    BID_MANAGER = "bid_manager"
    APPROVER = "approver"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class Account(BaseModel):
    """A person who can sign in. The password is kept only as a salted scrypt hash."""

    username: str  # lower case; what decisions and the audit log record
    display_name: str
    role: Role
    password_hash: str = Field(repr=False)
    email: str | None = None  # single sign-on maps this identity provider email to the account
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str = ""
    disabled_at: datetime | None = None
    password_changed_at: datetime = Field(default_factory=utcnow)

    @property
    def enabled(self) -> bool:
        return self.disabled_at is None


class AuthSession(BaseModel):
    """A signed-in browser, known to storage only by the SHA-256 of its token."""

    token_hash: str
    username: str
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime
    revoked_at: datetime | None = None
    client: str | None = None


class Decision(BaseModel):
    """One entry of the append-only decision log, with the analysis it was made on."""

    id: int | None = None
    tender_id: int
    action: DecisionAction
    status_before: TenderStatus
    status_after: TenderStatus
    decided_by: str
    role: Role
    decided_at: datetime = Field(default_factory=utcnow)
    reason: str = ""
    stage: ReviewStage | None = None
    ai_proposal: Proposal | None = None
    ai_relevant: bool | None = None
    ai_confidence: float | None = None
    ai_score: float | None = None
    analyst: str | None = None
    model: str | None = None
    prompt_version: str | None = None
    #: dimension -> {"ai": value, "reviewer": value}, only for dimensions the reviewer changed
    overrides: dict[str, dict[str, Any]] = Field(default_factory=dict)
    #: the routing thresholds in force when the decision was made
    policy: dict[str, Any] = Field(default_factory=dict)
    profile_version: int | None = None


class BidStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    EXPORTED = "exported"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class BidVersion(BaseModel):
    """One saved version of a tender's bid document, with its workflow state."""

    tender_id: int
    version: int
    document: BidDocument
    status: BidStatus = BidStatus.DRAFT
    #: who wrote this version by hand (None: the analyst wrote it)
    edited_by: str | None = None
    note: str | None = None
    approved_by: str | None = None
    approved_at: datetime | None = None
    exported_at: datetime | None = None


class Claim(BaseModel):
    """A tender the worker holds under a lease, with the status it was claimed from."""

    state: TenderState
    claimed_from: TenderStatus


class RowError(BaseModel):
    """A problem in one row, with the 1-based row number the user sees in the file.

    An `error` row was refused; a `warning` row was imported without the field it names.
    """

    row: int
    message: str
    level: Literal["error", "warning"] = "error"

    @property
    def is_warning(self) -> bool:
        return self.level == "warning"


class _FileRows(BaseModel):
    """One file's row problems, split into refused rows and kept-with-a-warning rows."""

    filename: str
    format: str
    errors: list[RowError] = Field(default_factory=list)

    @property
    def refused_rows(self) -> list[RowError]:
        return [e for e in self.errors if not e.is_warning]

    @property
    def warnings(self) -> list[RowError]:
        return [e for e in self.errors if e.is_warning]


class ParsedFile(_FileRows):
    """What an importer read from one file: tenders ready to store, and rows it refused.

    When the import streamed (core.ingest.rows.streaming_to), the tenders went to storage as
    they were read: `tenders` is empty and `streamed` says how many there were.
    """

    tenders: list[Tender] = Field(default_factory=list)
    streamed: int = 0


class ImportSummary(_FileRows):
    new: int = 0
    duplicates: int = 0
    #: later notices of procedures already stored, saved as new versions of their tenders
    updated: int = 0
    failed: str | None = None  # set when the whole file was refused: one sentence saying what to do

    @property
    def ok(self) -> bool:
        return self.failed is None

    def counts_text(self) -> str:
        """'8 new, 1 duplicate, 0 row errors, 2 warnings' — the same words in the CLI and the UI."""

        def plural(n: int, word: str) -> str:
            return f"{n} {word}{'' if n == 1 else 's'}"

        updated = f"{self.updated} updated, " if self.updated else ""
        text = (
            f"{self.new} new, {updated}{plural(self.duplicates, 'duplicate')}, "
            f"{plural(len(self.refused_rows), 'row error')}"
        )
        if self.warnings:
            text += f", {plural(len(self.warnings), 'warning')}"
        return text


@dataclass(frozen=True, slots=True)
class LLMUsage:
    """One HTTP attempt to an LLM endpoint: what it cost and how it ended.

    `status` is ok, error, or cached (answered from the cache without a request).
    """

    call_id: str
    step: str
    attempt: int
    mode: str
    model: str
    base_url: str
    status: str
    tender_id: int | None = None
    reask: int = 0
    http_status: int | None = None
    error_class: str | None = None
    error: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    latency_ms: float = 0.0
    cost: float = 0.0
    prompt_version: str | None = None
    called_at: datetime = dataclass_field(default_factory=utcnow)


class DecisionConflict(Exception):
    """Storage could not record a decision: the tender moved on since the decider saw it."""

    def __init__(self, status: TenderStatus | None, latest: Decision | None) -> None:
        super().__init__(f"tender is {status}")
        self.status = status  # None when the tender does not exist
        self.latest = latest


class AccountExists(Exception):
    """Storage could not add an account: the username is taken (or, for the first admin, any
    account exists already)."""


class BidConflict(Exception):
    """Storage could not save a bid change: a newer version or approval came first."""

    def __init__(self, latest: BidVersion | None) -> None:
        super().__init__("the bid changed")
        self.latest = latest
