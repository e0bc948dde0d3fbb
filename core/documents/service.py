"""Documents on a tender: add (checked, extracted, kept by content hash, audited) and list.

The file itself is kept beside the database, under documents/<first two hex digits>/<sha256>,
so the same file twice is one document, and a download gives back the bytes as uploaded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path, PurePath
from typing import Protocol

from core.access.audit import AuditAction, AuditLog
from core.access.roles import WORKERS, Actor
from core.documents.extract import DocumentError, Limits, extract
from core.documents.requirements import Found, find_requirements
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
    ) -> tuple[DocumentRecord, bool]: ...
    def for_tender(self, tender_id: int) -> list[DocumentRecord]: ...
    def pages(self, document_id: int) -> list[PageText]: ...


class DocumentService:
    def __init__(
        self,
        store: DocumentStore,
        folder: Path,
        audit: AuditLog,
        tender_exists: Callable[[int], bool],
        limits: Limits | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._store = store
        self._folder = folder
        self._audit = audit
        self._exists = tender_exists
        self._limits = limits or Limits()
        self._clock = clock

    def add(
        self, tender_id: int, filename: str, data: bytes, actor: Actor
    ) -> tuple[DocumentRecord, bool]:
        """Read and keep one document on a tender; (record, new). Raises DocumentError (one
        sentence naming the file) or NotAllowed, and then stores nothing."""
        name = PurePath(filename).name or "document"
        self._audit.require(actor, WORKERS, "add tender documents", target=f"tender {tender_id}")
        if not self._exists(tender_id):
            raise DocumentError(f"There is no tender {tender_id}: `tenders` lists them.")
        text = extract(name, data, self._limits)
        digest = hashlib.sha256(data).hexdigest()
        path = self.path_of(digest)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".part")
            partial.write_bytes(data)
            partial.replace(path)  # never half a file under the hash
        record, new = self._store.add(
            tender_id, digest, name, text.kind, len(data), text.pages, actor.name, self._clock()
        )
        if new:
            self._audit.record_actor(
                actor,
                AuditAction.DOCUMENT_ADDED,
                target=f"tender {tender_id}",
                detail=f"{name}: {text.kind}, {len(text.pages)} pages, {len(data):,} bytes",
            )
        return record, new

    def documents(self, tender_id: int) -> list[DocumentRecord]:
        return self._store.for_tender(tender_id)

    def pages(self, document_id: int) -> list[PageText]:
        return self._store.pages(document_id)

    def requirements(self, tender_id: int) -> list[Found]:
        """The requirements and evaluation criteria found in the tender's documents."""
        documents = [(r.filename, self.pages(r.id)) for r in self.documents(tender_id)]
        return find_requirements(documents)

    def content(self, record: DocumentRecord) -> bytes:
        """The file as it was uploaded."""
        return self.path_of(record.sha256).read_bytes()

    def path_of(self, sha256: str) -> Path:
        return self._folder / sha256[:2] / sha256
