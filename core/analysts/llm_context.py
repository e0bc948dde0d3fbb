"""What the prompts say about the company and the tender, as text.

Tender fields are untrusted: they go inside one delimited block, and anything in them that
looks like the block's own delimiters is defused. Earlier model output about the tender (the
screening's reasoning, the rating's strengths and risks) is derived from that text, so it is
quoted the same way, in its own <analysis> block, never spliced into the instructions.
"""

from __future__ import annotations

import re
from datetime import datetime

from core.analysts.rules.cpv import cpv_with_division
from core.analysts.wording import format_date, join_words, language_name
from core.models import Tender
from core.profile.company import CompanyProfile

MAX_DESCRIPTION_CHARS = 12_000
TAG_NAMES = ("tender", "analysis", "document")  # "document": core.documents.refine

# What a model may read as one of our tags: '<', '&lt;' or a look-alike bracket, an optional
# slash (or look-alike), the tag name with any case, spacing, invisible characters or common
# homoglyphs, then attributes and the closing bracket if present ('< / TENDER >',
# '＜／ｔｅｎｄｅｒ＞', '</ten\u200bder x=1', '&lt;/tender&gt;').
_OPEN = r"(?:<|&lt;?|&#0*60;?|&#x0*3c;?|[\uff1c\ufe64\u2039\u3008\u2329\u27e8\u276e\u02c2\u1438])"
_CLOSE = r"(?:>|&gt;?|&#0*62;?|&#x0*3e;?|[\uff1e\ufe65\u203a\u3009\u232a\u27e9\u276f\u02c3\u1433])"
_SLASH = r"[/\\\uff0f\u2044\u2215\u29f8]"
_GAP = r"[\s\u00ad\u034f\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]*"
_LOOKALIKES = {
    "a": "aａаα",
    "c": "cｃсϲ",
    "d": "dｄԁ",
    "e": "eｅеёєε℮",
    "i": "iｉіıι",
    "l": "lｌӏ1|",
    "m": "mｍм",
    "n": "nｎпη",
    "o": "oｏоο0",
    "r": "rｒг",
    "s": "sｓѕ",
    "t": "tｔтτ",
    "u": "uｕυ",
    "y": "yｙу",
}


def _name_pattern(name: str) -> str:
    return _GAP.join(f"[{re.escape(_LOOKALIKES.get(ch, ch))}]" for ch in name)


_DELIMITER = re.compile(
    _OPEN
    + _GAP
    + f"(?:{_SLASH}{_GAP})?"
    + "(?:"
    + "|".join(_name_pattern(name) for name in TAG_NAMES)
    + r")(?![^\W\d_])"
    + f"(?:[^<>\n]{{0,80}}?{_CLOSE})?",
    re.IGNORECASE,
)


def capabilities_text(profile: CompanyProfile) -> str:
    lines = []
    for capability in profile.capabilities:
        parts = [f"- {capability.name}"]
        if capability.keywords:
            parts.append(f"keywords: {', '.join(capability.keywords[:20])}")
        if capability.cpv_prefixes:
            parts.append(f"CPV prefixes: {', '.join(capability.cpv_prefixes[:20])}")
        lines.append("; ".join(parts))
    # Every step's prompt lists the capabilities, so the team's languages travel with them.
    lines.append(working_languages_text(profile))
    return "\n".join(lines)


def working_languages_text(profile: CompanyProfile) -> str:
    """'The bid team works in English (en) and German (de); …': codes come validated."""
    languages = join_words(f"{language_name(code)} ({code})" for code in profile.languages)
    which = "that language" if len(profile.languages) == 1 else "those languages"
    return (
        f"The bid team works in {languages}; the keywords above are in {which}, so a notice "
        "in another language will not use them."
    )


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
    value = "not stated"
    if tender.value_amount is not None:
        value = f"{tender.value_amount:,.0f} {tender.value_currency or ''}".strip()
        if tender.value_low is not None:
            value = f"{tender.value_low:,.0f} to {value}"
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
    body = "\n".join(f"{name}: {defuse(text)}" for name, text in fields)
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


def analysis_block(lines: list[str]) -> str:
    """Earlier model output about the tender, quoted as data inside <analysis> … </analysis>."""
    body = "\n".join(defuse(line) for line in lines if line.strip()) or "(nothing recorded)"
    return f"<analysis>\n{body}\n</analysis>"


def defuse(text: str) -> str:
    """Anything that could open or close one of the prompt's data blocks, made inert."""
    return _DELIMITER.sub("[tender tag removed]", text)
