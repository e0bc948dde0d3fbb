"""Documents on a tender: add (checked, extracted, kept by content hash, audited) and list.

The file itself is kept beside the database, under documents/<first two hex digits>/<sha256>,
so the same file twice is one document, and a download gives back the bytes as uploaded.
A long PDF added from the dashboard is checked and kept at once and its pages are read in the
background (`read_some`, called by core.documents.reader), a chunk per write, so the page
shows progress and a restart resumes where it stopped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path, PurePath
from typing import Protocol

from core.access.audit import AuditAction, AuditLog
from core.access.roles import WORKERS, Actor
from core.documents.dates import KeyDate, find_key_dates
from core.documents.extract import (
    DocumentError,
    Extracted,
    Limits,
    check,
    extract,
    pdf_page_count,
    pdf_pages,
)
from core.documents.fetch import Fetcher, fetch_document
from core.documents.refine import Refinement, RequirementRefiner
from core.documents.requirements import find_requirements
from core.models import utcnow
from core.models.documents import DocumentRecord, PageText


class DocumentStore(Protocol):
    """storage.documents.DocumentRepository has it."""

    def add(
        self,
        tender_id: int,
        sha256: str,
        filename: str,
        kind: str,
        size_bytes: int,
        pages: Sequence[PageText],
        added_by: str,
        added_at: datetime,
        page_count: int | None = None,
    ) -> tuple[DocumentRecord, bool]: ...
    def append(self, document_id: int, pages: Sequence[PageText]) -> DocumentRecord: ...
    def fail(self, document_id: int, error: str) -> None: ...
    def reading(self) -> list[DocumentRecord]: ...
    def mark_in_matrix(self, document_ids: Sequence[int]) -> None: ...
    def for_tender(self, tender_id: int) -> list[DocumentRecord]: ...
    def pages(self, document_id: int) -> list[PageText]: ...


#: PDFs longer than this are read in the background when the caller asks for it.
INLINE_PAGES = 20
#: Pages read and stored per write while reading in the background.
CHUNK_PAGES = 10


class DocumentService:
    def __init__(
        self,
        store: DocumentStore,
        folder: Path,
        audit: AuditLog,
        tender_exists: Callable[[int], bool],
        limits: Limits | None = None,
        clock: Callable[[], datetime] = utcnow,
        fetcher: Fetcher | None = None,
        refiner: RequirementRefiner | None = None,
    ) -> None:
        self._fetch = fetcher or fetch_document
        self._store = store
        self._folder = folder
        self._audit = audit
        self._exists = tender_exists
        self._limits = limits or Limits()
        self._clock = clock
        self._refiner = refiner  # the LLM's look at the rows the rules are unsure of

    def add(
        self,
        tender_id: int,
        filename: str,
        data: bytes,
        actor: Actor,
        *,
        background: bool = False,
    ) -> tuple[DocumentRecord, bool]:
        """Read and keep one document on a tender; (record, new). Raises DocumentError (one
        sentence naming the file) or NotAllowed, and then stores nothing.

        With `background`, a PDF of more than INLINE_PAGES pages is checked and kept now and
        its text is left to `read_some` (the record says `reading`)."""
        name = PurePath(filename).name or "document"
        self._audit.require(actor, WORKERS, "add tender documents", target=f"tender {tender_id}")
        if not self._exists(tender_id):
            raise DocumentError(f"There is no tender {tender_id}: `tenders` lists them.")
        name, kind = check(name, data, self._limits)
        if kind == "pdf":  # counted (and checked) once; its text now, or in the background
            count = pdf_page_count(name, data, self._limits)
            later = background and count > INLINE_PAGES
            text = Extracted("pdf", [] if later else pdf_pages(name, data, 1, count))
        else:
            text = extract(name, data, self._limits)
            # a DOCX page may come in parts (its tables, the text under each heading)
            count = max((page.number for page in text.pages), default=0)
        digest = hashlib.sha256(data).hexdigest()
        path = self.path_of(digest)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".part")
            partial.write_bytes(data)
            partial.replace(path)  # never half a file under the hash
        record, new = self._store.add(
            tender_id,
            digest,
            name,
            text.kind,
            len(data),
            text.pages,
            actor.name,
            self._clock(),
            page_count=count,
        )
        if new:
            self._audit.record_actor(
                actor,
                AuditAction.DOCUMENT_ADDED,
                target=f"tender {tender_id}",
                detail=f"{name}: {text.kind}, {count} pages, {len(data):,} bytes",
            )
        return record, new

    def read_some(self) -> DocumentRecord | None:
        """Read the next CHUNK_PAGES pages of the oldest document still being read; its record
        afterwards, or None when nothing waits. A page that cannot be read fails the document
        with the one sentence saying why (it stays listed, out of the matrix)."""
        waiting = self._store.reading()
        if not waiting:
            return None
        record = waiting[0]
        first = record.pages_read + 1
        try:
            pages = pdf_pages(record.filename, self.content(record), first, first + CHUNK_PAGES - 1)
        except (DocumentError, OSError) as exc:
            reason = (
                str(exc)
                if isinstance(exc, DocumentError)
                else f"The file of {record.filename} is missing: add the document again."
            )
            self._store.fail(record.id, reason)
            return record.model_copy(update={"state": "failed", "error": reason})
        if not pages:  # fewer pages than counted: nothing more to read
            pages = [PageText(first, "")]
        return self._store.append(record.id, pages)

    def reading(self) -> list[DocumentRecord]:
        """Documents whose pages are still being read, oldest first."""
        return self._store.reading()

    def fetch(
        self, tender_id: int, link_url: str, actor: Actor, *, background: bool = False
    ) -> tuple[DocumentRecord, bool]:
        """Download a document from one of the notice's links and `add` it (the same checks,
        hash and audit); raises DocumentError (one sentence) or NotAllowed, storing nothing."""
        self._audit.require(actor, WORKERS, "fetch tender documents", target=f"tender {tender_id}")
        if not self._exists(tender_id):
            raise DocumentError(f"There is no tender {tender_id}: `tenders` lists them.")
        filename, data = self._fetch(link_url, max_bytes=self._limits.max_bytes)
        return self.add(tender_id, filename, data, actor, background=background)

    def documents(self, tender_id: int) -> list[DocumentRecord]:
        return self._store.for_tender(tender_id)

    def pages(self, document_id: int) -> list[PageText]:
        return self._store.pages(document_id)

    def refined(self, records: Sequence[DocumentRecord]) -> Refinement:
        """The rules' findings, with the unsure rows checked by the LLM when one is set."""
        documents = [(r.filename, self.pages(r.id)) for r in records]
        found = find_requirements(documents)
        if self._refiner is None or not records:
            return Refinement(found)
        return self._refiner.refine(found, documents, tender_id=records[0].tender_id)

    def key_dates(self, tender_id: int) -> list[KeyDate]:
        """The key dates the tender's documents state, soonest first (core.documents.dates)."""
        ready = [r for r in self.documents(tender_id) if r.state == "ready"]
        return find_key_dates([(r.filename, self.pages(r.id)) for r in ready])

    def not_in_matrix(self, tender_id: int) -> list[DocumentRecord]:
        """The tender's documents, read in full, whose requirements the matrix has not taken."""
        return [r for r in self.documents(tender_id) if r.state == "ready" and not r.in_matrix]

    def mark_in_matrix(self, records: Sequence[DocumentRecord]) -> None:
        self._store.mark_in_matrix([r.id for r in records])

    def content(self, record: DocumentRecord) -> bytes:
        """The file as it was uploaded."""
        return self.path_of(record.sha256).read_bytes()

    def path_of(self, sha256: str) -> Path:
        return self._folder / sha256[:2] / sha256
