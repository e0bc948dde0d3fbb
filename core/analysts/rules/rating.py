"""The rules analyst's rating: fit from evidence, then factors read from the tender."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from core.analysts.rules.cpv import SPECIFIC_PREFIX_DIGITS, cpv_label, cpv_with_division
from core.analysts.rules.match import Evidence, TenderMatch
from core.analysts.rules.signals import (
    Factor,
    certification_factors,
    deadline_factor,
    language_factor,
    scope_factors,
    value_factor,
)
from core.analysts.wording import join_words
from core.models import FilterResult, Recommendation, Tender
from core.profile.company import CompanyProfile

FIT_WEIGHT, WIN_WEIGHT, EFFORT_WEIGHT = 0.45, 0.35, 0.2
# Recommendations within this many points below the bid threshold are "consider".
CONSIDER_BAND = 1.5
# A tender whose deadline has passed cannot be bid for, however good the fit.
PAST_DEADLINE_OVERALL = 3.0
PAST_DEADLINE_WIN = 0.5
BASE_WIN = 3.7
BASE_EFFORT = 3.0
MAX_LISTED_KEYWORDS = 5


@dataclass(frozen=True, slots=True)
class Rating:
    overall: float
    fit: float
    win: float
    effort: float
    strengths: list[str]
    risks: list[str]
    recommendation: Recommendation
    reasoning: str


def clamp(score: float) -> float:
    return round(min(max(score, 0.0), 10.0), 1)


def evidence_fit(match: TenderMatch, relevance: FilterResult) -> float:
    """Saturating in the amount of evidence; a CPV match and breadth of capabilities add to it."""
    fit = 1.5 + 7.5 * (1 - math.exp(-match.positive / 8))
    fit += 0.8 if match.has_cpv_match else 0.0
    fit += 0.4 * max(len(match.capabilities) - 1, 0)
    fit -= 0.5 * match.negative
    if relevance.is_relevant and not match.capabilities:
        # Another analyst found it relevant without our keywords: trust its confidence a little.
        fit = max(fit, 2.0 + 4.0 * relevance.confidence)
    return fit


def cpv_strength(capability: Evidence) -> str:
    specific = [h for h in capability.cpv_hits if len(h.prefix) >= SPECIFIC_PREFIX_DIGITS]
    if specific:
        codes = join_words(f"CPV {cpv_label(hit.code)}" for hit in specific[:3])
        verb = "is" if len(specific) == 1 else "are"
        return f"{codes} {verb} core {capability.name} work for us."
    # A broad prefix (a whole group such as 722…) is evidence, but not a claim of specialism.
    hit = capability.cpv_hits[0]
    return (
        f"CPV {cpv_label(hit.code)} falls under {cpv_label(hit.prefix)}, "
        f"which we list for {capability.name}."
    )


def fit_factors(match: TenderMatch) -> list[Factor]:
    factors = []
    if match.capabilities:
        top = match.capabilities[0]
        if top.cpv_hits:
            factors.append(Factor(strength=cpv_strength(top)))
        keywords = match.keywords
        if keywords:
            listed = join_words(keywords[:MAX_LISTED_KEYWORDS])
            factors.append(Factor(strength=f"The notice asks for {listed}, which we deliver."))
    if len(match.capabilities) > 1:
        names = join_words(match.category_names)
        factors.append(Factor(strength=f"Spans {names}, so one team can cover the whole scope."))
    if match.exclusion:
        parts = [f"CPV {cpv_with_division(hit.code)}" for hit in match.exclusion.cpv_hits]
        parts += [f"'{keyword}'" for keyword in match.exclusion.keywords]
        factors.append(
            Factor(risk=f"Part of the scope is outside our business: {join_words(parts)}.")
        )
    return factors


def tender_factors(tender: Tender, profile: CompanyProfile, now: datetime) -> list[Factor]:
    text = f"{tender.title}\n{tender.description}"
    factors = [value_factor(tender, profile), deadline_factor(tender, now)]
    lowered = text.lower()
    factors += scope_factors(text, lowered)
    factors += certification_factors(text, lowered, profile)
    language = language_factor(tender, profile)
    return factors + ([language] if language else [])


def recommend(overall: float, profile: CompanyProfile) -> Recommendation:
    threshold = profile.thresholds.min_bid_score
    if overall >= threshold:
        return Recommendation.BID
    return (
        Recommendation.CONSIDER if overall >= threshold - CONSIDER_BAND else Recommendation.NO_BID
    )


def rate_tender(
    tender: Tender,
    profile: CompanyProfile,
    match: TenderMatch,
    relevance: FilterResult,
    now: datetime,
) -> Rating:
    factors = fit_factors(match) + tender_factors(tender, profile, now)
    passed = any(f.deadline_passed for f in factors)
    fit = clamp(evidence_fit(match, relevance) + sum(f.fit for f in factors))
    win = BASE_WIN + 0.4 * (fit - 5) + sum(f.win for f in factors)
    win = clamp(min(win, PAST_DEADLINE_WIN) if passed else win)
    breadth = 0.5 * max(len(match.capabilities) - 1, 0)
    effort = clamp(BASE_EFFORT + breadth + sum(f.effort for f in factors))
    overall = FIT_WEIGHT * fit + WIN_WEIGHT * win + EFFORT_WEIGHT * (10 - effort)
    overall = clamp(min(overall, PAST_DEADLINE_OVERALL) if passed else overall)
    recommendation = recommend(overall, profile)
    strengths = [f.strength for f in factors if f.strength]
    risks = [f.risk for f in factors if f.risk] or [fallback_risk(tender)]
    if fit < 5 and match.capabilities:
        names = join_words(match.category_names)
        risks.insert(0, f"Only a partial match with our profile ({names}).")
    notes = ", ".join(f.note for f in factors if f.note) or "no further signals"
    reasoning = (
        f"Strategic fit {fit} from {_evidence_phrase(match)}; win probability {win} and "
        f"effort {effort} from {notes}. Overall {overall} = {FIT_WEIGHT}×fit + {WIN_WEIGHT}×win "
        f"+ {EFFORT_WEIGHT}×(10 − effort)"
        f"{', capped because the deadline has passed' if passed else ''} → {recommendation.label}."
    )
    return Rating(overall, fit, win, effort, strengths, risks, recommendation, reasoning)


def fallback_risk(tender: Tender) -> str:
    buyer = tender.buyer or "the buyer"
    return (
        f"The notice names no incumbent or evaluation criteria; check {buyer}'s tender documents "
        "before committing bid effort."
    )


def _evidence_phrase(match: TenderMatch) -> str:
    if not match.capabilities:
        return "no matching capability"
    count = len(match.keyword_hits)
    keywords = {0: "no keywords", 1: "1 keyword"}.get(count, f"{count} keywords")
    cpv = " with a CPV match" if match.has_cpv_match else ""
    return f"{join_words(match.category_names)}{cpv} and {keywords}"
