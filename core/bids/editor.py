"""Bid documents after the analyst: edit, regenerate a section, approve, restore, export.

Every change is a new version (storage keeps them all); the newest version carries the
workflow status (draft → approved → exported). Role checks, text limits and the wording of
conflicts live here so that the Bids page and any other caller cannot skip them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal, Protocol

from core.access.audit import AuditAction, AuditLog, check
from core.access.audit import note as audit_note
from core.access.roles import BID_EDITORS, DECIDERS, Actor
from core.analysts.base import Analyst
from core.bids.texts import (  # MAX_NOTE, MAX_SECTION and the errors: re-exported
    MAX_NOTE,
    MAX_SECTION,
    SECTION_HEADINGS,
    BidEditError,
    NothingChanged,
    _approve_refusal,
    _document,
    _heading,
    _note,
    _same_text,
    _saved_meanwhile,
    _section_text,
)

__all__ = [
    "MAX_NOTE",
    "MAX_SECTION",
    "SECTION_HEADINGS",
    "BidEditError",
    "BidEditor",
    "BidRow",
    "NothingChanged",
]
from core.documents.answers import with_part
from core.errors import AnalystUnavailable
from core.export.bids import bids_zip
from core.models import (
    BidConflict,
    BidDocument,
    BidStatus,
    BidVersion,
    Role,
    Tender,
    TenderState,
    utcnow,
)
from core.models.documents import RequirementRow
from core.profile.company import CompanyProfile

if TYPE_CHECKING:
    from core.bootstrap import AppContext

EXPORTABLE = (BidStatus.APPROVED, BidStatus.EXPORTED)
ZipFormat = Literal["docx", "md"]


class BidStore(Protocol):
    """storage.bids.BidRepository has it."""

    def versions(self, tender_id: int) -> list[BidVersion]: ...
    def latest(self, tender_id: int) -> BidVersion | None: ...
    def version(self, tender_id: int, version: int) -> BidVersion | None: ...
    def all_latest(self, statuses: Sequence[BidStatus] | None = None) -> list[BidVersion]: ...
    def waiting_for_bid(self) -> int: ...
    def add_version(
        self,
        tender_id: int,
        document: BidDocument,
        *,
        based_on: int,
        edited_by: str | None,
        note: str | None = None,
    ) -> BidVersion: ...
    def approve(self, tender_id: int, version: int, by: str, at: datetime) -> BidVersion: ...
    def mark_exported(self, keys: Sequence[tuple[int, int]], at: datetime) -> int: ...


class TenderReader(Protocol):
    """storage.tenders.TenderRepository has it."""

    def get(self, tender_id: int) -> TenderState | None: ...
    def states(self, tender_ids: Sequence[int]) -> list[TenderState]: ...
    def counts_by_status(self) -> dict[str, int]: ...


@dataclass(frozen=True)
class BidRow:
    """A bid's newest version with the tender it answers (title, buyer, deadline, value, status)."""

    state: TenderState
    latest: BidVersion

    @property
    def tender_id(self) -> int:
        return self.latest.tender_id

    @property
    def tender(self) -> Tender:
        return self.state.tender


class BidEditor:
    """Bid documents over a bid store; the profile and analyst are read at each call."""

    def __init__(
        self,
        tenders: TenderReader,
        bids: BidStore,
        profile: Callable[[], CompanyProfile],
        analyst: Callable[[], Analyst],
        now: Callable[[], datetime] = utcnow,
        *,
        audit: AuditLog | None = None,
        blocking: Callable[[int], list[str]] | None = None,
        matrix: Callable[[int], list[RequirementRow]] | None = None,
    ) -> None:
        self._blocking = blocking or (lambda _tender_id: [])  # refs of mandatory rows not met
        self._matrix = matrix or (lambda _tender_id: [])  # the tender's compliance matrix
        self._tenders = tenders
        self._bids = bids
        self._profile = profile
        self._analyst = analyst
        self._now = now
        self._audit = audit

    @classmethod
    def from_context(cls, ctx: AppContext) -> BidEditor:
        return cls(
            ctx.tenders,
            ctx.bids,
            ctx.profile,
            lambda: ctx.analyst().analyst,
            ctx.clock,
            audit=ctx.audit(),
            blocking=lambda tender_id: ctx.matrix().summary(tender_id).blocking,
            matrix=ctx.matrix().rows,
        )

    # ------------------------------------------------------------------ reads
    def documents(self, statuses: Sequence[BidStatus] | None = None) -> list[BidRow]:
        """The newest version of each bid with its tender, soonest deadline first."""
        latest = {v.tender_id: v for v in self._bids.all_latest(statuses or None)}
        states = self._tenders.states(list(latest))
        rows = [BidRow(s, latest[s.tender.id]) for s in states if s.tender.id in latest]
        return sorted(rows, key=_deadline_order)

    def counts(self) -> dict[BidStatus, int]:
        """Bids by the status of their newest version (every status, zero included)."""
        stored = self._bids.counts_by_status()
        return {status: stored.get(status.value, 0) for status in BidStatus}

    def versions(self, tender_id: int) -> list[BidVersion]:
        """Every version of the bid, newest first."""
        return self._bids.versions(tender_id)

    def waiting_for_bid(self) -> int:
        """Tenders a person said go to whose bid the analyst has not written yet (also while
        the worker writes it, so the Bids page keeps watching until it lands)."""
        return self._tenders.waiting_for_bid()

    # ---------------------------------------------------------------- changes
    def save_sections(
        self,
        tender_id: int,
        based_on: int,
        sections: Mapping[str, str],
        actor: Actor,
        note: str = "",
    ) -> BidVersion:
        """Save edited section texts as a new draft version on top of version `based_on`."""
        self._check(actor, BID_EDITORS, "edit bids", tender_id)
        base = self._version(tender_id, based_on)
        texts = {field: _section_text(field, text) for field, text in sections.items()}
        if all(getattr(base.document, field) == text for field, text in texts.items()):
            raise NothingChanged("Nothing changed: edit a section before saving a new version.")
        document = _document(base.document, texts, self._now())
        return self._add(tender_id, document, based_on, actor, _note(note))

    def regenerate_section(
        self, tender_id: int, based_on: int, section: str, actor: Actor
    ) -> BidVersion:
        """Ask the analyst to write the bid again and take only `section` from its draft."""
        self._check(actor, BID_EDITORS, "edit bids", tender_id)
        heading = _heading(section)
        base = self._version(tender_id, based_on)
        self._check_newest(tender_id, based_on)  # before a possibly slow, paid analyst call
        state = self._tenders.get(tender_id)
        if state is None:
            raise BidEditError(f"There is no tender {tender_id}; reload the page.")
        if state.filter is None or state.rating is None:
            raise BidEditError(
                f"Tender {tender_id} has no relevance verdict and rating yet, so the analyst "
                "cannot write its bid again: re-analyse it first."
            )
        analyst = self._analyst()
        try:
            draft = analyst.write(state.tender, self._profile(), state.filter, state.rating)
        except AnalystUnavailable as exc:
            raise BidEditError(str(exc)) from exc
        text = _section_text(section, getattr(draft, section))
        if getattr(base.document, section) == text:
            raise NothingChanged(
                f"The analyst wrote the same {heading} again, so no new version was saved."
            )
        # The newest text is the analyst's, so the version names it (the note says what changed).
        provenance = draft.model_dump(include={"analyst", "model", "prompt_version"})
        document = _document(base.document, {section: text, **provenance}, self._now())
        note = f"Regenerated {heading} with {analyst.name}"
        return self._add(tender_id, document, based_on, actor, note)

    def regenerate_criterion(
        self, tender_id: int, based_on: int, criterion_ref: str, actor: Actor
    ) -> BidVersion:
        """Write the technical approach's answer to one evaluation criterion again from the
        compliance matrix as it stands (the team's latest responses); the rest is kept."""
        self._check(actor, BID_EDITORS, "edit bids", tender_id)
        base = self._version(tender_id, based_on)
        rows = self._matrix(tender_id)
        text = with_part(base.document.technical_approach, rows, criterion_ref)
        if text is None:
            raise BidEditError(
                f"Tender {tender_id} has no evaluation criterion {criterion_ref}: reload the page."
            )
        if text == base.document.technical_approach:
            raise NothingChanged(
                f"The answer to {criterion_ref} is the same as before: update its requirements' "
                "responses in the compliance matrix first."
            )
        document = _document(base.document, {"technical_approach": text}, self._now())
        name = next((r.text for r in rows if r.ref == criterion_ref), criterion_ref)
        note = f"Regenerated the answer to {name} ({criterion_ref}) from the compliance matrix"
        return self._add(tender_id, document, based_on, actor, note)

    def restore(self, tender_id: int, version: int, based_on: int, actor: Actor) -> BidVersion:
        """A new draft version with the text of an older version; no version is lost."""
        self._check(actor, BID_EDITORS, "edit bids", tender_id)
        old = self._version(tender_id, version)
        base = self._version(tender_id, based_on)
        if version == based_on or _same_text(old.document, base.document):
            raise NothingChanged(
                f"Version {version} has the same text as version {based_on}; nothing to restore."
            )
        document = old.document.model_copy(update={"created_at": self._now()})
        return self._add(tender_id, document, based_on, actor, f"Restored version {version}")

    def approve(self, tender_id: int, version: int, actor: Actor, reason: str = "") -> BidVersion:
        """Approve version `version`, which must be the newest version and a draft. While a
        mandatory requirement of the compliance matrix is open or non-compliant, only with a
        reason, which the audit log keeps."""
        self._check(actor, DECIDERS, "approve bids", tender_id)
        reason = " ".join(reason.split())
        blocking = self._blocking(tender_id)
        if blocking and not reason:
            shown = ", ".join(blocking[:5]) + ("…" if len(blocking) > 5 else "")
            raise BidEditError(
                f"Tender {tender_id} has {len(blocking)} mandatory requirements open or "
                f"non-compliant ({shown}): answer them in the compliance matrix, or approve "
                "with a reason."
            )
        try:
            approved = self._bids.approve(tender_id, version, by=actor.name, at=self._now())
        except BidConflict as conflict:
            raise _approve_refusal(tender_id, version, conflict.latest) from conflict
        audit_note(
            self._audit,
            actor,
            AuditAction.BID_APPROVED,
            target=f"tender {tender_id}",
            detail=f"version {approved.version}"
            + (
                f"; {len(blocking)} mandatory requirements not met, because: {reason}"
                if blocking
                else ""
            ),
        )
        return approved

    def approved_zip(self, fmt: ZipFormat, *, actor: Actor) -> tuple[bytes, int]:
        """A ZIP of every approved (or already exported) bid, which are then marked exported.

        Each document is the approved version's text; drafts are never included.
        """
        check(self._audit, actor, BID_EDITORS, "export approved bids", target="approved bids")
        rows = self.documents(EXPORTABLE)
        if not rows:
            raise BidEditError(
                "No bid is approved yet: approve a bid version before downloading approved bids."
            )
        versions = {row.tender_id: row.latest for row in rows}
        company = self._profile().company_name
        data = bids_zip([row.state for row in rows], fmt, company, versions=versions)
        self._bids.mark_exported([(row.tender_id, row.latest.version) for row in rows], self._now())
        ids = ", ".join(str(row.tender_id) for row in rows[:20])
        more = f" and {len(rows) - 20} more" if len(rows) > 20 else ""
        audit_note(
            self._audit,
            actor,
            AuditAction.EXPORT,
            target=f"approved bids ({fmt} zip)",
            detail=f"{len(rows)} bids: tenders {ids}{more}",
        )
        return data, len(rows)

    # ---------------------------------------------------------------- helpers
    def _check(self, actor: Actor, allowed: frozenset[Role], doing: str, tender_id: int) -> None:
        check(self._audit, actor, allowed, doing, target=f"tender {tender_id}")

    def _version(self, tender_id: int, version: int) -> BidVersion:
        found = self._bids.version(tender_id, version)
        if found is None:
            raise BidEditError(
                f"The bid for tender {tender_id} has no version {version}; reload the page."
            )
        return found

    def _check_newest(self, tender_id: int, based_on: int) -> None:
        latest = self._bids.latest(tender_id)
        if latest is not None and latest.version != based_on:
            raise _saved_meanwhile(latest)

    def _add(
        self, tender_id: int, document: BidDocument, based_on: int, actor: Actor, note: str
    ) -> BidVersion:
        try:
            saved = self._bids.add_version(
                tender_id, document, based_on=based_on, edited_by=actor.name, note=note or None
            )
        except BidConflict as conflict:
            if conflict.latest is None:
                raise BidEditError(
                    f"Tender {tender_id} has no bid any more; reload the page."
                ) from conflict
            raise _saved_meanwhile(conflict.latest) from conflict
        note_text = f": {note}" if note else ""
        audit_note(
            self._audit,
            actor,
            AuditAction.BID_EDITED,
            target=f"tender {tender_id}",
            detail=f"version {saved.version} on version {based_on}{note_text}",
        )
        return saved


def _deadline_order(row: BidRow) -> tuple[bool, float, int]:
    deadline = row.tender.deadline
    return (deadline is None, deadline.timestamp() if deadline else 0.0, row.tender_id)
