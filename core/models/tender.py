"""A procurement notice as imported, and how later notices of its procedure change it."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from core.models.base import LongText, ShortText


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


_Code = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]


class NoticeDocument(BaseModel):
    """A document or link published with the notice (its own link to the specification, the
    procurement documents on the buyer's portal…), which a bid team can fetch (issue 18)."""

    title: ShortText | None = None
    url: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2_000)]
    #: what the source calls it: OCDS documentType ("technicalSpecifications"), eForms
    #: DocumentType ("restricted-document")…
    kind: _Code | None = None
    #: the media type the source gives ("application/pdf"), if any
    format: _Code | None = None


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
    #: the estimated value; when the notice gives a range, its upper end…
    value_amount: float | None = Field(default=None, ge=0)
    #: …and this its lower end (None when the notice gives one figure)
    value_low: float | None = Field(default=None, ge=0)
    value_currency: str | None = Field(default=None, min_length=3, max_length=3)
    deadline: datetime | None = None
    cpv_codes: list[str] = Field(default_factory=list)
    country: str | None = None
    #: where the work is, as the notice names it ("London", "UKI", "North West")
    region: ShortText | None = None
    #: how to reach the buyer about this notice: an e-mail address or a web page
    contact: ShortText | None = None
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
    #: the notice's own document links (web addresses, each once, at most 50); the files a
    #: team attaches or fetches from them are core.models.documents.DocumentRecord
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
        if self.value_amount is not None:
            kept.pop("value_low", None)  # a new value brings its own range, or none
        if self.title_derived:
            kept["title"], kept["title_derived"] = older.title, older.title_derived
        return self.model_copy(update={"id": older.id, **kept})

    @model_validator(mode="after")
    def _value_range(self) -> Tender:
        """A range is low ≤ value_amount; a lone lower end is the value; low = high is no range."""
        low, high = self.value_low, self.value_amount
        if low is None:
            return self
        if high is None:
            self.value_amount, self.value_low = low, None
        elif low > high:
            self.value_amount, self.value_low = low, high
        elif low == high:
            self.value_low = None
        return self

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
    "value_low",
    "value_currency",
    "deadline",
    "cpv_codes",
    "classifications",
    "lots",
    "notice_type",
    "form_type",
    "country",
    "region",
    "contact",
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
        "value_low",
        "value_currency",
        "deadline",
        "cpv_codes",
        "classifications",
        "lots",
        "notice_type",
    }
)


class TenderVersion(BaseModel):
    """A later notice that changed a stored tender: what changed, when, from which file."""

    tender_id: int
    version: int
    changes: dict[str, dict[str, Any]]
    source_file: str | None = None
    imported_at: datetime
    #: whether the analysis was run again because of it
    reanalysed: bool = False
