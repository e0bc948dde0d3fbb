"""What the Tenders page needs to know about one tender, beyond its stored state."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from pydantic import BaseModel

from core.analysts.wording import language_name
from core.describe import deadline_text, money_text
from core.models import TenderState, utcnow


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
        ("Value", money_text(tender.value_amount, tender.value_currency)),
        ("Deadline", deadline_text(tender.deadline, now)),
        ("CPV codes", ", ".join(tender.cpv_codes) or "none"),
        ("Country", tender.country or "not stated"),
        ("Language", f"{language} ({tender.language})" if language else "not stated"),
        ("Source", tender.source),
        ("Source id", tender.source_id or "none"),
        ("Tenderwise id", str(tender.id)),
    ]
    url = tender.url if tender.url and tender.url.startswith(("https://", "http://")) else None
    if tender.url and not url:
        facts.append(("Link", tender.url))
    return TenderFacts(facts=facts, url=url)


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
