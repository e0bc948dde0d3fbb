"""What the prompts say about the company and the tender, as text.

Tender fields are untrusted: they go inside one delimited block, and anything in them that
looks like the block's own delimiters is defused.
"""

from __future__ import annotations

import re
from datetime import datetime

from core.analysts.rules_cpv import cpv_with_division
from core.analysts.wording import format_date, language_name
from core.models import Tender
from core.profile import CompanyProfile

MAX_DESCRIPTION_CHARS = 12_000
_DELIMITER = re.compile(r"</?\s*tender\s*>", re.IGNORECASE)


def capabilities_text(profile: CompanyProfile) -> str:
    lines = []
    for capability in profile.capabilities:
        parts = [f"- {capability.name}"]
        if capability.keywords:
            parts.append(f"keywords: {', '.join(capability.keywords[:20])}")
        if capability.cpv_prefixes:
            parts.append(f"CPV prefixes: {', '.join(capability.cpv_prefixes[:20])}")
        lines.append("; ".join(parts))
    return "\n".join(lines)


def exclusions_text(profile: CompanyProfile) -> str:
    exclusions = profile.exclusions
    parts = []
    if exclusions.keywords:
        parts.append(f"keywords: {', '.join(exclusions.keywords[:30])}")
    if exclusions.cpv_prefixes:
        parts.append(f"CPV prefixes: {', '.join(exclusions.cpv_prefixes[:30])}")
    return "; ".join(parts) or "(nothing listed)"


def value_range_text(profile: CompanyProfile) -> str:
    low, high, currency = profile.value_min, profile.value_max, profile.currency
    if high:
        return f"{low:,.0f}–{high:,.0f} {currency}"
    return f"from {low:,.0f} {currency}" if low else "any"


def tender_block(tender: Tender) -> str:
    """The notice as data, inside <tender> … </tender>."""
    value = (
        f"{tender.value_amount:,.0f} {tender.value_currency or ''}".strip()
        if tender.value_amount is not None
        else "not stated"
    )
    description = tender.description
    if len(description) > MAX_DESCRIPTION_CHARS:
        description = description[:MAX_DESCRIPTION_CHARS] + " […]"
    fields = [
        ("Title", tender.title),
        ("Buyer", tender.buyer or "not stated"),
        ("Country", tender.country or "not stated"),
        ("Deadline", format_date(tender.deadline) if tender.deadline else "not stated"),
        ("Estimated value", value),
        ("CPV codes", ", ".join(cpv_with_division(c) for c in tender.cpv_codes) or "none"),
        ("Language", _language(tender)),
        ("Description", description or "(none)"),
    ]
    if tender.classifications:
        other = ", ".join(f"{c.scheme} {c.code}" for c in tender.classifications[:20])
        fields.insert(6, ("Other classifications", other))
    if tender.lots:
        fields.insert(
            6, ("Lots", "; ".join((lot.title or lot.id or "?") for lot in tender.lots[:20]))
        )
    body = "\n".join(f"{name}: {_defuse(text)}" for name, text in fields)
    return f"<tender>\n{body}\n</tender>"


def _language(tender: Tender) -> str:
    """'German (de): read it in German; answer in English.'"""
    code = (tender.language or "").lower()[:2]
    if not code:
        return "not stated"
    name = language_name(code) or code
    if code == "en":
        return "English (en)"
    return f"{name} ({code}): read the notice in {name}; answer in English"


def today_text(now: datetime) -> str:
    return format_date(now)


def _defuse(text: str) -> str:
    return _DELIMITER.sub("[tender tag removed]", text)
