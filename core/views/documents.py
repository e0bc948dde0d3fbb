"""What a tender's documents add to its facts: the compliance matrix in four numbers and the
key dates they state, beside the notice's own deadline, soonest first, with a warning when the
documents and the notice disagree on the day tenders are due."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from core.analysts.wording import format_date
from core.documents.dates import KeyDate
from core.documents.matrix import MatrixSummary, summarise
from core.models.documents import DocumentRecord, RequirementRow


@dataclass(frozen=True, slots=True)
class DateRow:
    label: str
    when: str
    source: str  # "specification.pdf, page 3" or "the notice"
    on: date
    at: time | None


@dataclass(frozen=True, slots=True)
class DocumentFacts:
    documents: int
    summary: MatrixSummary | None  # None: no matrix yet
    dates: list[DateRow]  # soonest first, the notice's deadline among them
    mismatch: str | None  # the documents and the notice disagree on the deadline
    clarification_first: bool  # questions close before tenders are due


def document_facts(
    records: Sequence[DocumentRecord],
    rows: Sequence[RequirementRow],
    key_dates: Sequence[KeyDate],
    deadline: datetime | None,
) -> DocumentFacts:
    dates = [DateRow(d.label, d.when, f"{d.source}, page {d.page}", d.on, d.at) for d in key_dates]
    if deadline is not None:
        at = deadline.time().replace(second=0, microsecond=0)
        when = f"{format_date(deadline)}, {at:%H:%M} UTC"
        dates.append(DateRow("Tenders due (the notice)", when, "the notice", deadline.date(), at))
    dates.sort(key=lambda d: (d.on, d.at or time.max))
    due = next((d for d in key_dates if d.kind == "submission"), None)
    mismatch = None
    if due is not None and deadline is not None and due.on != deadline.date():
        mismatch = (
            f"The documents say tenders are due {due.when} ({due.source}, page {due.page}); the "
            f"notice says {format_date(deadline)}. Check which is right before you plan."
        )
    questions = next((d for d in key_dates if d.kind == "clarification"), None)
    first = questions is not None and (
        due is None or (questions.on, questions.at or time.max) <= (due.on, due.at or time.max)
    )
    return DocumentFacts(
        documents=len(records),
        summary=summarise(rows) if rows else None,
        dates=dates,
        mismatch=mismatch,
        clarification_first=first,
    )
