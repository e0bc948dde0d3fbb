"""Words for numbers the pages show: analysts, deadlines, money, progress. No Streamlit here."""

from __future__ import annotations

from datetime import datetime

from core.analysts.wording import format_date, format_money
from core.models import Tender, TenderStatus
from core.pipeline.status import PipelineStatus

_ANALYST_DESCRIPTIONS = {
    "rules": "rules: offline CPV + keyword analyst",
    "rules (prefilter)": "rules prefilter: the offline rules were sure enough, so the LLM was "
    "not asked",
    "notice type": "notice type: not a call for tenders, so not analysed",
    "person": "a person's word on relevance (feedback), which stands for the analyst's",
}


def describe_analyst(name: str | None) -> str:
    """'rules' → 'rules: offline CPV + keyword analyst'; 'llm:gpt@host' → 'LLM: gpt at host'."""
    if not name:
        return "no analyst yet"
    if name in _ANALYST_DESCRIPTIONS:
        return _ANALYST_DESCRIPTIONS[name]
    if name.startswith("llm:"):
        model, _, endpoint = name.removeprefix("llm:").partition("@")
        return f"LLM: {model} at {endpoint}" if endpoint else f"LLM: {model}"
    return name


def plural(count: int, word: str) -> str:
    """'1 tender', '2,000 tenders'."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def compact_money(amount: float, currency: str | None) -> str:
    """€650k, £9.4M, 1.2bn SEK: short enough for a KPI tile."""
    for limit, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(amount) >= limit:
            number = f"{amount / limit:.1f}".removesuffix(".0") + suffix
            break
    else:
        number = f"{amount:.0f}"
    code = (currency or "").upper()
    symbol = {"EUR": "€", "GBP": "£", "USD": "$"}.get(code)
    return f"{symbol}{number}" if symbol else f"{number} {code}".strip()


def compact_value(tender: Tender) -> str | None:
    """'£240k', '£100k–£240k' for a range, '1.2M SEK'; None without a value."""
    amount, low, currency = tender.value_amount, tender.value_low, tender.value_currency
    if amount is None:
        return None
    if low is not None and low < amount:
        high = compact_money(amount, currency)
        # the currency is said once: '£100k–£240k' keeps its symbol, '100k–240k SEK' its code
        first = compact_money(low, currency)
        code = (currency or "").upper()
        if first.endswith(f" {code}") and code:
            first = first.removesuffix(f" {code}")
        return f"{first}–{high}"
    return compact_money(amount, currency)


def money_text(amount: float | None, currency: str | None, low: float | None = None) -> str:
    """'£240,000', or '£100,000–£240,000' for a range (low, amount); 'not stated'."""
    if amount is None:
        return "not stated"
    if low is not None and low < amount:
        return f"{format_money(low, currency)}–{format_money(amount, currency)}"
    return format_money(amount, currency)


def days_left(deadline: datetime, now: datetime) -> int:
    """Whole days from now until the deadline (negative once it has passed)."""
    seconds = (deadline - now).total_seconds()
    return int(seconds // 86_400)


def deadline_text(deadline: datetime | None, now: datetime) -> str:
    """'3 Dec 2026 · 12 days left', '… · closes today', '… · closed 3 days ago'."""
    if deadline is None:
        return "not stated"
    days = days_left(deadline, now)
    when = f"{format_date(deadline)} {deadline:%H:%M} UTC"
    if deadline < now:
        ago = days_left(now, deadline)  # whole days since it closed
        return f"{when} · closed" + (f" {ago} day{'s' if ago != 1 else ''} ago" if ago else "")
    if days == 0:
        return f"{when} · closes today"
    return f"{when} · {days} day{'s' if days != 1 else ''} left"


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return "unknown"
    if seconds < 1:
        return "under a second"
    if seconds < 90:
        return f"about {round(seconds)} s"
    if seconds < 90 * 60:
        return f"about {round(seconds / 60)} min"
    return f"about {seconds / 3600:.1f} h"


def time_left_text(status: PipelineStatus) -> str:
    if not status.waiting:
        return "done"
    if status.paused:
        return "paused"
    return duration_text(status.eta_s)


def settled_count(status: PipelineStatus) -> int:
    """Tenders with no automatic work left: resting ones and those in error (until retried)."""
    return status.tenders - status.waiting


def progress_fraction(status: PipelineStatus) -> float:
    return settled_count(status) / status.tenders if status.tenders else 1.0


def status_rows(status: PipelineStatus) -> list[tuple[str, str, int]]:
    """(status name, label, tenders) in the order of the status machine."""
    return [(s.value, s.label, status.by_status.get(s.value, 0)) for s in TenderStatus]
