"""Mandatory requirements the company may not meet: a certification its profile does not
list, an insurance cover above what it states, a location or a security clearance it does not
claim, or a row the bid team marked non-compliant. Each is a named risk (with its ref) that
lowers the win probability; a row marked compliant or not applicable is met whatever it asks.

The profile's summary is what the company says of itself ("ISO 27001 and Cyber Essentials
Plus", "£5m professional indemnity", "offices in Leeds", "SC-cleared staff"), so that is what
the checks read; where it says nothing the requirement is a smaller, "check" risk.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from core.analysts.rules.rating import WIN_WEIGHT, recommend
from core.analysts.rules.signals import CERTIFICATIONS
from core.models import RatingResult
from core.models.documents import RequirementRow
from core.profile.company import CompanyProfile

#: Win-probability points lost per requirement: one the profile contradicts or the team marked
#: non-compliant, and one the profile is silent on.
UNMET_WIN = 1.5
UNKNOWN_WIN = 0.5
MAX_WIN_LOSS = 4.0
MET = ("compliant", "not applicable")

_AMOUNT = r"(?P<cur>[£€$]|(?:GBP|EUR|USD|AUD|NZD|CAD)\s)\s?(?P<n>\d[\d,]*(?:\.\d+)?)"
_INSURANCE = re.compile(
    r"(?P<kind>professional indemnity|public liability|employer'?s'? liability|product "
    r"liability|cyber(?: liability)?)\s+insurance\b[^.;]{0,80}?"
    + _AMOUNT
    + r"\s*(?P<unit>m\b|million|mn\b|k\b|thousand)?",
    re.IGNORECASE,
)
_INSURANCE_BEFORE = re.compile(
    _AMOUNT + r"\s*(?P<unit>m\b|million|mn\b|k\b|thousand)?[^.;]{0,40}?"
    r"(?P<kind>professional indemnity|public liability|employer'?s'? liability|product "
    r"liability|cyber(?: liability)?)",
    re.IGNORECASE,
)
_PLACES = (
    ("the UK", r"\b(?:UK|United Kingdom|Great Britain|British)\b"),
    ("the EU/EEA", r"\b(?:EU|EEA|European Union|European Economic Area)\b"),
    ("Ireland", r"\bIreland\b|\bIrish\b"),
)
_WHERE = re.compile(
    r"\b(?:host(?:ed|ing)?|stored?|reside|located|based|held|process(?:ed)?|remain|data centres?)"
    r"\b[^.;]{0,60}?\b(?:in|within|inside)\s+(?:the\s+)?(?P<place>UK|United Kingdom|Great "
    r"Britain|EU|EEA|European Union|European Economic Area|Ireland)\b",
    re.IGNORECASE,
)
_CLEARANCE = re.compile(
    r"\b(?P<level>SC|DV|NPPV\s?\d?|BPSS|CTC)\b(?:[\s-]+(?:level|cleared|clearance|vetted))|"
    r"\b(?:security|baseline)\s+(?:cleared|clearance|vetting)\b",
)


@dataclass(frozen=True, slots=True)
class Unmet:
    ref: str
    risk: str  # the sentence shown with the rating's risks
    win: float  # points of win probability it costs


def unmet_requirements(rows: Sequence[RequirementRow], profile: CompanyProfile) -> list[Unmet]:
    """The mandatory requirements in the matrix the company may not meet, in ref order."""
    found: list[Unmet] = []
    for row in rows:
        if row.dropped or not row.mandatory or row.kind != "obligation" or row.status in MET:
            continue
        unmet = _unmet(row, profile)
        if unmet is not None:
            found.append(unmet)
    return found


def win_loss(unmet: Sequence[Unmet]) -> float:
    return min(sum(u.win for u in unmet), MAX_WIN_LOSS)


def _unmet(row: RequirementRow, profile: CompanyProfile) -> Unmet | None:
    text, summary = row.text, profile.summary
    quoted = _short(text)
    if row.status == "non-compliant":
        return Unmet(row.ref, f"{row.ref} is marked non-compliant: {quoted}", UNMET_WIN)
    lowered = text.lower()
    for certification in CERTIFICATIONS:
        if any(p in lowered for p in certification.probes) and certification.asked.search(text):
            if certification.held.search(summary):
                return None
            return Unmet(
                row.ref,
                f"{row.ref} requires {certification.label}, which our profile does not list.",
                UNMET_WIN,
            )
    insurance = _insurance(text)
    if insurance is not None:
        kind, amount, label = insurance
        held = _insurance_held(summary, kind)
        if held is None:
            return Unmet(
                row.ref,
                f"{row.ref} requires {label} {kind} insurance; our profile does not state "
                "our cover: check it.",
                UNKNOWN_WIN,
            )
        if held < amount:
            return Unmet(
                row.ref,
                f"{row.ref} requires {label} {kind} insurance, more than the cover our profile "
                "states.",
                UNMET_WIN,
            )
        return None
    where = _WHERE.search(text)
    if where is not None:
        place, pattern = next(p for p in _PLACES if re.search(p[1], where["place"]))
        if re.search(pattern, summary):
            return None
        return Unmet(
            row.ref,
            f"{row.ref} requires hosting or presence in {place}, which our profile does not "
            "mention: check it.",
            UNKNOWN_WIN,
        )
    clearance = _CLEARANCE.search(text)
    if clearance is not None and not _CLEARANCE.search(summary):
        return Unmet(
            row.ref,
            f"{row.ref} requires security-cleared staff, which our profile does not mention: "
            "check it.",
            UNKNOWN_WIN,
        )
    return None


def _insurance(text: str) -> tuple[str, float, str] | None:
    """(kind, amount, amount as written) of an insurance cover the text asks for."""
    match = _INSURANCE.search(text) or _INSURANCE_BEFORE.search(text)
    if match is None:
        return None
    amount = _amount(match["n"], match["unit"])
    if amount is None:
        return None
    kind = " ".join(match["kind"].lower().split())
    millions = (match["unit"] or "").lower() in ("m", "million", "mn")
    return kind, amount, f"{match['cur']}{match['n']}{'m' if millions else ''}"


def _insurance_held(summary: str, kind: str) -> float | None:
    for pattern in (_INSURANCE, _INSURANCE_BEFORE):
        for match in pattern.finditer(summary):
            if " ".join(match["kind"].lower().split()) == kind:
                return _amount(match["n"], match["unit"])
    return None


def _amount(number: str, unit: str | None) -> float | None:
    try:
        value = float(number.replace(",", "").rstrip("."))
    except ValueError:
        return None
    scale = (unit or "").lower()
    if scale in ("m", "million", "mn"):
        value *= 1_000_000
    elif scale in ("k", "thousand"):
        value *= 1_000
    return value


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def rated_with_requirements(
    rating: RatingResult, rows: Sequence[RequirementRow], profile: CompanyProfile
) -> RatingResult:
    """The rating with the matrix's unmet mandatory requirements as named risks, its win
    probability lowered for them and the overall score and recommendation following."""
    unmet = unmet_requirements(rows, profile)
    if not unmet:
        return rating
    loss = win_loss(unmet)
    win = round(max(rating.win_probability - loss, 0.0), 1)
    overall = round(max(rating.overall_score - WIN_WEIGHT * (rating.win_probability - win), 0), 1)
    refs = ", ".join(u.ref for u in unmet[:6]) + ("…" if len(unmet) > 6 else "")
    return rating.model_copy(
        update={
            "win_probability": win,
            "overall_score": overall,
            "recommendation": recommend(overall, profile),
            "risks": [*(u.risk for u in unmet), *rating.risks][:12],
            "reasoning": f"{rating.reasoning} The tender's documents: win probability lowered "
            f"by {rating.win_probability - win:g} for mandatory requirements we may not meet "
            f"({refs}).",
        }
    )
