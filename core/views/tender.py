"""What the Tenders page needs to know about one tender, beyond its stored state."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Protocol

from pydantic import BaseModel

from core.analysts.wording import language_name
from core.models import TenderState, TenderVersion, utcnow
from core.views.describe import deadline_text, money_text
from core.views.operations import TraceRow, tender_trace

if TYPE_CHECKING:
    from core.bootstrap import AppContext


class TenderSource(Protocol):
    """storage.tenders.TenderRepository has it."""

    def get(self, tender_id: int) -> TenderState | None: ...
    def versions(self, tender_id: int) -> list[TenderVersion]: ...


class TenderView:
    """What the Tenders page reads: one tender, the later notices that changed it, and the
    LLM calls made for it."""

    def __init__(self, tenders: TenderSource, trace: Callable[[int], list[TraceRow]]) -> None:
        self._tenders = tenders
        self._trace = trace

    @classmethod
    def from_context(cls, ctx: AppContext) -> TenderView:
        return cls(ctx.tenders, partial(tender_trace, ctx))

    def state(self, tender_id: int | None) -> TenderState | None:
        return None if tender_id is None else self._tenders.get(tender_id)

    def changes(self, tender_id: int) -> list[TenderVersion]:
        """Every update by a later notice of the same procedure, oldest first."""
        return self._tenders.versions(tender_id)

    def llm_calls(self, tender_id: int) -> list[TraceRow]:
        return self._trace(tender_id)


class TenderFacts(BaseModel):
    """Label → text for every field of the notice, in reading order."""

    facts: list[tuple[str, str]]
    url: str | None


def tender_facts(state: TenderState, now: datetime | None = None) -> TenderFacts:
    tender = state.tender
    now = now or utcnow()
    language = language_name(tender.language)
    facts = [
        ("Buyer", tender.buyer or "not stated"),
        ("Value", money_text(tender.value_amount, tender.value_currency, tender.value_low)),
        ("Deadline", deadline_text(tender.deadline, now)),
        ("Notice", _notice_text(state)),
        ("CPV codes", ", ".join(tender.cpv_codes) or "none"),
        ("Country", tender.country or "not stated"),
        *([("Region", tender.region)] if tender.region else []),
        *([("Contact", tender.contact)] if tender.contact else []),
        ("Language", f"{language} ({tender.language})" if language else "not stated"),
        ("Source", tender.source),
        ("Source id", tender.source_id or "none"),
        ("Tenderwise id", str(tender.id)),
    ]
    if tender.classifications:
        facts.insert(
            4,
            (
                "Other classifications",
                ", ".join(f"{c.scheme} {c.code}" for c in tender.classifications),
            ),
        )
    if tender.procedure_id and tender.procedure_id != tender.source_id:
        facts.append(("Procedure", tender.procedure_id))
    if tender.published_at:
        facts.append(("Published", f"{tender.published_at:%d %b %Y %H:%M} UTC"))
    url = tender.url if tender.url and tender.url.startswith(("https://", "http://")) else None
    if tender.url and not url:
        facts.append(("Link", tender.url))
    return TenderFacts(facts=facts, url=url)


def _notice_text(state: TenderState) -> str:
    tender = state.tender
    text = tender.notice_type.label
    if tender.form_type:
        text += f" ({tender.form_type})"
    if not tender.notice_type.biddable:
        text += " · not open for bids"
    return text


def change_rows(version: TenderVersion) -> list[dict[str, str]]:
    """One row per changed field of a new version: field, before, after (as short text)."""
    return [
        {
            "field": name.replace("_", " "),
            "before": _short(change.get("old")),
            "after": _short(change.get("new")),
        }
        for name, change in version.changes.items()
    ]


def _short(value: object, limit: int = 120) -> str:
    if value is None or value == [] or value == "":
        return "–"
    if isinstance(value, list):
        text = ", ".join(
            str(v.get("code") or v.get("title") or v.get("url") or v)
            if isinstance(v, dict)
            else str(v)
            for v in value
        )
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def pick_tender_id(*candidates: object) -> int | None:
    """The first candidate that reads as a tender id ('12', 12, ['12'] from query params)."""
    for candidate in candidates:
        if isinstance(candidate, list | tuple):
            candidate = candidate[0] if candidate else None
        if isinstance(candidate, bool) or candidate is None:
            continue
        try:
            value = int(str(candidate).strip())
        except ValueError:
            continue
        if value > 0:
            return value
    return None


def with_current(
    choices: Mapping[int, str], current: int | None, label: str | None
) -> dict[int, str]:
    """The picker's options, with the tender being shown first when it is not among them."""
    if current is None or current in choices or label is None:
        return dict(choices)
    return {current: label, **choices}
