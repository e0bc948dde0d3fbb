"""Factors the rules analyst reads from a tender: value, deadline, scope, certifications, language.

Each factor nudges strategic fit, win probability or effort and, where it matters to the
bid team, says so in one sentence grounded in the notice (a value, a date, a phrase).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime

from core.analysts.wording import (
    format_date,
    format_days,
    format_money,
    language_code,
    language_name,
    same_language,
)
from core.models import Tender
from core.profile.company import CompanyProfile

SHORT_DEADLINE_DAYS = 10
TIGHT_DEADLINE_DAYS = 21
# Approximate rates, used only to place a value against the preferred range, never shown.
EUR_PER_UNIT = {
    "EUR": 1.0,
    "GBP": 1.17,
    "USD": 0.92,
    "CHF": 1.05,
    "SEK": 0.087,
    "NOK": 0.085,
    "DKK": 0.134,
    "PLN": 0.23,
    "CZK": 0.04,
}


@dataclass(frozen=True, slots=True)
class Factor:
    fit: float = 0.0
    win: float = 0.0
    effort: float = 0.0
    strength: str | None = None
    risk: str | None = None
    note: str | None = None  # a few words for the rating's reasoning
    deadline_passed: bool = False


def mentions(probes: tuple[str, ...], pattern: re.Pattern[str], text: str, lowered: str) -> bool:
    # Substring probes first: a case-insensitive regex scan costs far more than `in`.
    return any(probe in lowered for probe in probes) and pattern.search(text) is not None


@dataclass(frozen=True, slots=True)
class ScopeSignal:
    label: str
    probes: tuple[str, ...]  # lower-case substrings that every match contains one of
    pattern: re.Pattern[str]
    win: float
    effort: float
    risk: str


SCOPE_SIGNALS = (
    ScopeSignal(
        "framework",
        ("framework",),
        re.compile(r"\bframework\b", re.IGNORECASE),
        -0.5,
        1.0,
        "Framework agreement: call-offs are not guaranteed and competition is usually wide.",
    ),
    ScopeSignal(
        "lots",
        ("lots",),
        re.compile(r"\blots\b", re.IGNORECASE),
        -0.2,
        0.5,
        "Divided into lots: check which lots fit and what each one requires.",
    ),
    ScopeSignal(
        "multiple sites or services",
        ("multiple",),
        re.compile(r"\bmultiple\b", re.IGNORECASE),
        -0.2,
        0.5,
        "Multiple sites or services are in scope, which widens delivery.",
    ),
    ScopeSignal(
        "nationwide",
        ("nation", "country"),
        re.compile(r"\bnation[\s-]?wide\b|\bacross the country\b", re.IGNORECASE),
        -0.7,
        1.0,
        "Nationwide scope may need delivery staff across the country.",
    ),
    ScopeSignal(
        "24/7",
        ("24", "round"),
        re.compile(r"\b24\s*/\s*7\b|\b24x7\b|round[\s-]the[\s-]clock", re.IGNORECASE),
        -0.7,
        1.5,
        "24/7 cover needs round-the-clock staffing, hard for a team of our size.",
    ),
    ScopeSignal(
        "on-site",
        ("site",),
        re.compile(r"\bon[\s-]?site\b", re.IGNORECASE),
        -0.3,
        0.5,
        "On-site delivery is required, adding travel and staffing cost.",
    ),
    ScopeSignal(
        "security clearance",
        ("clearance", "cleared", "vetting"),
        re.compile(r"\bsecurity[\s-]clearance\b|\bSC[\s-]cleared\b|\bvetting\b", re.IGNORECASE),
        -0.5,
        1.0,
        "Staff need security clearance, which takes time to obtain.",
    ),
)


@dataclass(frozen=True, slots=True)
class Certification:
    label: str
    probes: tuple[str, ...]
    asked: re.Pattern[str]  # the notice requires it
    held: re.Pattern[str]  # the profile summary claims it (or a stronger one)


CERTIFICATIONS = (
    Certification(
        "ISO 27001",
        ("27001",),
        re.compile(r"\bISO(?:/IEC)?[\s-]?27001\b", re.IGNORECASE),
        re.compile(r"\bISO(?:/IEC)?[\s-]?27001\b", re.IGNORECASE),
    ),
    Certification(
        "ISO 9001",
        ("9001",),
        re.compile(r"\bISO[\s-]?9001\b", re.IGNORECASE),
        re.compile(r"\bISO[\s-]?9001\b", re.IGNORECASE),
    ),
    Certification(
        "Cyber Essentials Plus",
        ("essentials",),
        re.compile(r"\bcyber essentials\s*(?:plus\b|\+)", re.IGNORECASE),
        re.compile(r"\bcyber essentials\s*(?:plus\b|\+)", re.IGNORECASE),
    ),
    Certification(
        "Cyber Essentials",
        ("essentials",),
        re.compile(r"\bcyber essentials\b(?!\s*(?:plus\b|\+))", re.IGNORECASE),
        re.compile(r"\bcyber essentials\b", re.IGNORECASE),
    ),
)


def to_eur(amount: float, currency: str | None) -> float | None:
    rate = EUR_PER_UNIT.get((currency or "EUR").upper())
    return None if rate is None else amount * rate


def value_factor(tender: Tender, profile: CompanyProfile) -> Factor:
    if tender.value_amount is None:
        return Factor(
            win=-0.3,
            effort=0.5,
            risk="Value unknown: the notice gives no estimated contract value to price against.",
            note="value unknown",
        )
    currency = tender.value_currency or profile.currency
    shown = format_money(tender.value_amount, currency)
    own = profile.in_own_currency(tender.value_amount, currency)  # at the team's rates
    if own is not None:
        if currency != profile.currency:
            shown += f" (≈ {format_money(own, profile.currency)} at our rates)"
        value, low, high = own, profile.value_min, profile.value_max
        eur = to_eur(own, profile.currency) or own
    else:  # no rate set by the team: the built-in approximate rates to EUR
        value, low, high = (
            to_eur(tender.value_amount, currency),
            to_eur(profile.value_min, profile.currency),
            to_eur(profile.value_max, profile.currency),
        )
        eur = value
    if value is None or low is None or high is None or eur is None:
        return Factor(risk=f"Value {shown} is in a currency we cannot compare.", note="value")
    # Bigger contracts mean bigger teams and longer bids: +1.5 effort per tenfold above €100k.
    effort = min(max((math.log10(max(eur, 1.0)) - 5) * 1.5, -1.0), 3.5)
    minimum = format_money(profile.value_min, profile.currency)
    maximum = format_money(profile.value_max, profile.currency)
    if high and value > high:
        ratio = value / high
        win = -1.0 if ratio < 2 else -2.5 if ratio < 4 else -4.0
        risk = (
            f"Value {shown} is {ratio:.1f}× our preferred maximum ({maximum}): "
            "likely too large for our team to deliver alone."
        )
        return Factor(win=win, effort=effort, risk=risk, note="value above range")
    if low and value < low:
        fit = -0.5 if value >= low / 2 else -1.0
        risk = f"Value {shown} is below our preferred minimum ({minimum}): thin return on a bid."
        return Factor(fit=fit, effort=effort, risk=risk, note="value below range")
    if not low and not high:
        return Factor(effort=effort, note="no preferred value range")
    strength = f"Value {shown} sits inside our preferred range ({minimum}–{maximum})."
    if not high:
        strength = f"Value {shown} is above our preferred minimum ({minimum})."
    return Factor(fit=0.3, win=0.5, effort=effort, strength=strength, note="value in range")


def deadline_factor(tender: Tender, now: datetime) -> Factor:
    if tender.deadline is None:
        buyer = tender.buyer or "the buyer"
        return Factor(
            win=-0.3,
            risk=f"No deadline given: confirm the submission date with {buyer}.",
            note="no deadline",
        )
    days = (tender.deadline - now).total_seconds() / 86_400
    date = format_date(tender.deadline)
    if days < 0:
        return Factor(
            risk=f"The deadline ({date}) has passed.", note="deadline passed", deadline_passed=True
        )
    left = format_days(days)
    if days < SHORT_DEADLINE_DAYS:
        return Factor(
            win=-2.5 if days < 5 else -1.5,
            effort=1.5,
            risk=f"Deadline {date} leaves only {left} to prepare a response.",
            note=f"{left} left",
        )
    if days < TIGHT_DEADLINE_DAYS:
        return Factor(
            win=-0.3,
            effort=0.5,
            risk=f"Deadline {date} leaves {left}: a tight bid window.",
            note=f"{left} left",
        )
    return Factor(
        win=0.3,
        strength=f"Deadline {date} leaves {left} to prepare a strong response.",
        note=f"{left} left",
    )


def scope_factors(text: str, lowered: str) -> list[Factor]:
    return [
        Factor(win=signal.win, effort=signal.effort, risk=signal.risk, note=signal.label)
        for signal in SCOPE_SIGNALS
        if mentions(signal.probes, signal.pattern, text, lowered)
    ]


def certification_factors(text: str, lowered: str, profile: CompanyProfile) -> list[Factor]:
    factors = []
    for certification in CERTIFICATIONS:
        if not mentions(certification.probes, certification.asked, text, lowered):
            continue
        if certification.held.search(profile.summary):
            strength = f"The notice asks for {certification.label}, which we hold."
            factors.append(Factor(win=0.8, strength=strength, note=certification.label))
        else:
            risk = f"The notice asks for {certification.label}, which our profile does not list."
            factors.append(Factor(win=-1.0, risk=risk, note=f"no {certification.label}"))
    return factors


def notice_language(tender: Tender, profile: CompanyProfile) -> str:
    """The notice's language code ('de-AT' → 'de'); a notice that does not say is taken to be
    in the profile's first working language."""
    return language_code(tender.language) or profile.languages[0]


def foreign_language(tender: Tender, profile: CompanyProfile) -> str | None:
    """The notice's language by name when it is not one of the profile's working languages
    (so the profile's keywords, written in those, cannot be expected to match), else None."""
    code = notice_language(tender, profile)
    if same_language(code, profile.languages):
        return None
    return language_name(code) or code


def language_factor(tender: Tender, profile: CompanyProfile) -> Factor | None:
    name = foreign_language(tender, profile)
    if name is None:
        return None
    return Factor(
        win=-0.3,
        effort=0.5,
        risk=f"The notice is in {name}: the response will likely have to be in {name}.",
        note=f"in {name}",
    )
