"""The compliance matrix: a tender's requirements and criteria, owned, answered and exported.

Rows come from the documents (core.documents.requirements) and stay: each document is read
into the matrix once, when it is ready (its new findings appended with the next refs), and
rows the team has worked on never change under it. Every edit (owner, status, response, a row
added, merged or dropped) is audited.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from core.access.audit import AuditAction, AuditLog
from core.access.roles import WORKERS, Actor
from core.documents.refine import Refinement
from core.export.table import csv_bytes, xlsx_bytes
from core.models import utcnow
from core.models.documents import MATRIX_STATUSES, DocumentRecord, RequirementRow

MatrixFormat = Literal["xlsx", "csv"]
_SYNC = threading.Lock()
MATRIX_COLUMNS: tuple[tuple[str, str], ...] = (
    ("ref", "Ref"),
    ("kind", "Kind"),
    ("text", "Requirement"),
    ("mandatory", "Mandatory"),
    ("weight", "Weight (%)"),
    ("source", "Document"),
    ("page", "Page"),
    ("section", "Section"),
    ("owner", "Owner"),
    ("status", "Status"),
    ("response", "Response"),
)


class MatrixError(ValueError):
    """A change the matrix cannot take; the message is one sentence saying what to do."""


class MatrixStore(Protocol):
    """storage.requirements.RequirementRepository has it."""

    def rows(self, tender_id: int) -> list[RequirementRow]: ...
    def add(self, rows: Sequence[RequirementRow]) -> None: ...
    def update(
        self, tender_id: int, ref: str, changes: dict[str, Any], by: str, at: datetime
    ) -> RequirementRow | None: ...


class MatrixDocuments(Protocol):
    """core.documents.service.DocumentService has it."""

    def not_in_matrix(self, tender_id: int) -> list[DocumentRecord]: ...
    def refined(self, records: Sequence[DocumentRecord]) -> Refinement: ...
    def mark_in_matrix(self, records: Sequence[DocumentRecord]) -> None: ...


@dataclass(frozen=True, slots=True)
class MatrixSummary:
    rows: int
    mandatory: int
    open: int
    non_compliant: int
    blocking: list[str]  # refs of mandatory rows open or non-compliant


class MatrixService:
    def __init__(
        self,
        store: MatrixStore,
        documents: MatrixDocuments,
        audit: AuditLog,
        people: Callable[[], set[str]],
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._store = store
        self._documents = documents
        #: what the LLM did with the unsure rows at this service's last sync (None: no sync)
        self.last_refinement: Refinement | None = None
        self._audit = audit
        self._people = people
        self._clock = clock

    def rows(self, tender_id: int) -> list[RequirementRow]:
        """The matrix, with the requirements of documents read since appended."""
        self.sync(tender_id)
        return self._store.rows(tender_id)

    def sync(self, tender_id: int) -> list[RequirementRow]:
        """Take the requirements of the tender's documents not yet in the matrix (each document
        once); the rows added. Findings the matrix already has (same text) are not repeated."""
        if not self._documents.not_in_matrix(tender_id):
            return []  # the usual case, without waiting for a sync (maybe LLM calls) elsewhere
        with _SYNC:  # the page and the background reader may both sync a tender at once
            return self._sync(tender_id)

    def _sync(self, tender_id: int) -> list[RequirementRow]:
        records = self._documents.not_in_matrix(tender_id)
        if not records:
            return []
        stored = self._store.rows(tender_id)
        known = {_key(r.text, r.kind) for r in stored}
        number = max((_number(r.ref) for r in stored), default=0)
        new = []
        refinement = self._documents.refined(records)
        self.last_refinement = refinement
        for found in refinement.rows:
            if _key(found.text, found.kind) in known:
                continue
            number += 1
            new.append(
                RequirementRow(
                    tender_id=tender_id,
                    ref=f"R-{number:03d}",
                    text=found.text,
                    source=found.source,
                    page=found.page,
                    section=found.section,
                    mandatory=found.mandatory,
                    kind=found.kind,
                    weight=found.weight,
                )
            )
            known.add(_key(found.text, found.kind))
        self._store.add(new)
        self._documents.mark_in_matrix(records)
        return new

    def owners(self) -> list[str]:
        """Who can own a row: the enabled users, by username."""
        return sorted(self._people())

    def summary(self, tender_id: int) -> MatrixSummary:
        return summarise(self.rows(tender_id))

    def update(self, tender_id: int, ref: str, actor: Actor, **changes: Any) -> RequirementRow:
        """Set a row's owner, status, response (or drop it); audited."""
        target = f"tender {tender_id} {ref}"
        self._audit.require(actor, WORKERS, "edit the compliance matrix", target=target)
        status = changes.get("status")
        if status is not None and status not in MATRIX_STATUSES:
            raise MatrixError(
                f"'{status}' is not a status: use one of {', '.join(MATRIX_STATUSES)}."
            )
        owner = changes.get("owner")
        if owner and owner not in self._people():
            raise MatrixError(f"There is no user '{owner}': pick an owner from the users.")
        if "response" in changes:
            changes["response"] = str(changes["response"] or "")[:20_000]
        if changes.get("dropped") is False:
            changes["merged_into"] = None  # brought back: no longer part of another row
        row = self._store.update(tender_id, ref, changes, actor.name, self._clock())
        if row is None:
            raise MatrixError(f"Tender {tender_id} has no row {ref}: reload the matrix.")
        said = ", ".join(f"{k} {'set' if k == 'response' else repr(v)}" for k, v in changes.items())
        self._audit.record_actor(actor, AuditAction.MATRIX_CHANGED, target=target, detail=said)
        return row

    def merge(
        self, tender_id: int, keep: str, others: Sequence[str], actor: Actor
    ) -> RequirementRow:
        """Merge rows the extractor split or found twice into `keep`: its text gets theirs
        (in ref order, each once), it is mandatory if any was, responses are joined; the others
        are dropped, marked as merged into `keep`, so their refs stay. Audited."""
        target = f"tender {tender_id} {keep}"
        self._audit.require(actor, WORKERS, "edit the compliance matrix", target=target)
        rows = {r.ref: r for r in self._store.rows(tender_id) if not r.dropped}
        merged = [ref for ref in dict.fromkeys(others) if ref != keep]
        missing = [ref for ref in [keep, *merged] if ref not in rows]
        if missing:
            raise MatrixError(
                f"Tender {tender_id} has no row {missing[0]} to merge: reload the matrix."
            )
        if not merged:
            raise MatrixError("Pick at least one other row to merge into it.")
        kinds = {rows[ref].kind for ref in [keep, *merged]}
        if len(kinds) > 1:
            raise MatrixError(
                "A requirement and an evaluation criterion cannot be merged: merge rows of "
                "one kind."
            )
        parts = [rows[keep], *(rows[ref] for ref in merged)]
        texts = list(dict.fromkeys(r.text for r in parts))
        responses = [r.response for r in parts if r.response.strip()]
        changes: dict[str, Any] = {
            "text": " ".join(texts)[:2_000],
            "mandatory": any(r.mandatory for r in parts),
            "response": "\n\n".join(dict.fromkeys(responses))[:20_000],
        }
        now = self._clock()
        row = self._store.update(tender_id, keep, changes, actor.name, now)
        assert row is not None
        for ref in merged:
            self._store.update(
                tender_id, ref, {"dropped": True, "merged_into": keep}, actor.name, now
            )
        self._audit.record_actor(
            actor,
            AuditAction.MATRIX_CHANGED,
            target=target,
            detail=f"merged {', '.join(merged)} into {keep}",
        )
        return row

    def add_row(
        self,
        tender_id: int,
        text: str,
        actor: Actor,
        *,
        mandatory: bool = True,
        kind: str = "obligation",
        weight: float | None = None,
    ) -> RequirementRow:
        """A requirement the extractor missed, added by a person; audited."""
        self._audit.require(
            actor, WORKERS, "edit the compliance matrix", target=f"tender {tender_id}"
        )
        text = " ".join(text.split())
        if not text:
            raise MatrixError("Write the requirement before adding it.")
        rows = self.rows(tender_id)
        number = max((_number(r.ref) for r in rows), default=0) + 1
        row = RequirementRow(
            tender_id=tender_id,
            ref=f"R-{number:03d}",
            text=text[:2_000],
            mandatory=mandatory,
            kind=kind,
            weight=weight,
            origin="added",
            updated_by=actor.name,
            updated_at=self._clock(),
        )
        self._store.add([row])
        self._audit.record_actor(
            actor,
            AuditAction.MATRIX_CHANGED,
            target=f"tender {tender_id} {row.ref}",
            detail="added",
        )
        return row


def summarise(rows: Sequence[RequirementRow]) -> MatrixSummary:
    """Counts of a matrix's rows (dropped ones left out) and the refs that block approval."""
    kept = [r for r in rows if not r.dropped]
    obligations = [r for r in kept if r.kind == "obligation"]
    return MatrixSummary(
        rows=len(kept),
        mandatory=sum(r.mandatory for r in obligations),
        open=sum(r.status == "open" for r in obligations),
        non_compliant=sum(r.status == "non-compliant" for r in obligations),
        blocking=[r.ref for r in kept if r.blocking],
    )


def matrix_bytes(rows: Sequence[RequirementRow], fmt: MatrixFormat) -> bytes:
    """The matrix as XLSX or CSV, formula-safe like the other exports; dropped rows left out."""
    cells = [r.model_dump() for r in rows if not r.dropped]
    if fmt == "csv":
        return csv_bytes(cells, MATRIX_COLUMNS)
    return xlsx_bytes(cells, MATRIX_COLUMNS, title="Compliance matrix")


def _key(text: str, kind: str) -> str:
    return f"{kind}|{' '.join(text.lower().split())}"


def _number(ref: str) -> int:
    digits = "".join(ch for ch in ref if ch.isdigit())
    return int(digits) if digits else 0
