"""Small, locale-free wording helpers shared by the rules analyst and its bid writer."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

# Month names are spelled out here because strftime("%b") follows the process locale.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_CURRENCY_SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$"}
_LANGUAGES = {
    "da": "Danish",
    "de": "German",
    "en": "English",
    "es": "Spanish",
    "fi": "Finnish",
    "fr": "French",
    "ga": "Irish",
    "it": "Italian",
    "nb": "Norwegian",
    "nl": "Dutch",
    "nn": "Norwegian",
    "no": "Norwegian",
    "pl": "Polish",
    "pt": "Portuguese",
    "sv": "Swedish",
    # the other official EU languages, and languages of portals Tenderwise reads
    "bg": "Bulgarian",
    "cs": "Czech",
    "el": "Greek",
    "et": "Estonian",
    "hr": "Croatian",
    "hu": "Hungarian",
    "lt": "Lithuanian",
    "lv": "Latvian",
    "mt": "Maltese",
    "ro": "Romanian",
    "sk": "Slovak",
    "sl": "Slovenian",
    "uk": "Ukrainian",
    "is": "Icelandic",
    "cy": "Welsh",
}


def format_money(amount: float, currency: str | None) -> str:
    """€450,000 / £1,200,000 / 300,000 SEK: whole units, since notices give estimates."""
    whole = f"{round(amount):,}"
    code = (currency or "").upper()
    symbol = _CURRENCY_SYMBOLS.get(code)
    if symbol:
        return f"{symbol}{whole}"
    return f"{whole} {code}".strip()


def format_date(moment: datetime) -> str:
    """3 Dec 2026."""
    return f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year}"


def format_days(days: float) -> str:
    whole = int(days)
    if whole < 1:
        return "less than a day"
    return "1 day" if whole == 1 else f"{whole} days"


def language_name(code: str | None) -> str | None:
    if not code:
        return None
    return _LANGUAGES.get(code.lower(), code)


def language_code(value: str | None) -> str | None:
    """'en-GB', ' DE ', 'pt_BR' → 'en', 'de', 'pt': the primary subtag, lower-case."""
    code = re.split(r"[-_]", (value or "").strip().lower(), maxsplit=1)[0]
    return code or None


def is_known_language(code: str) -> bool:
    return code in _LANGUAGES


def known_languages() -> list[str]:
    """Every language code Tenderwise can name, ordered by name (English first)."""
    return sorted(_LANGUAGES, key=lambda code: (code != "en", _LANGUAGES[code], code))


def language_label(code: str) -> str:
    """The name, with the code where names repeat: 'German', 'Norwegian (nb)'."""
    name = language_name(code) or code
    repeated = sum(1 for other in _LANGUAGES.values() if other == name) > 1
    return f"{name} ({code})" if repeated else name


def same_language(code: str, others: Iterable[str]) -> bool:
    """Whether `code` names the same language as one of `others` ('nb' and 'no' do)."""
    name = language_name(code)
    return any(language_name(other) == name for other in others)


def join_words(words: Iterable[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = list(words)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"
