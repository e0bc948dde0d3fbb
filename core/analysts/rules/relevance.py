"""The rules analyst's relevance verdict: evidence weighed, confidence from the margin."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.analysts.rules.cpv import cpv_label, cpv_with_division
from core.analysts.rules.match import Evidence, NeighbourHit, TenderMatch
from core.analysts.rules.semantic import cpv_labels

# Net evidence needed to call a tender relevant: one title keyword or one CPV code, not a
# passing mention such as "submit through the portal" in the description.
MIN_NET_EVIDENCE = 1.5

# Confidence is calibrated: how often a verdict like this one was right, measured with
# `evaluate` on about 230 real public notices nobody here wrote (UK Contracts Finder 2025,
# TED and eForms), text only and with their CPV codes, labelled by their own codes (IT
# services or software). Anchors of (net evidence, share of such tenders that were relevant),
# interpolated: a passing mention is mostly not ours, one title keyword is a coin toss, a
# keyword with a close reading or a CPV code is usually right.
RELEVANT_SHARE = (
    (-2.0, 0.02),
    (-1.0, 0.04),
    (0.0, 0.10),
    (1.0, 0.15),
    (1.49, 0.18),
    (1.5, 0.5),
    (2.5, 0.55),
    (3.0, 0.85),
    (4.0, 0.9),
    (6.0, 0.95),
)
# With no evidence either way, the further the wording reads from our work, the surer the
# "no" (same measurement: right 90% of the time just below the hint line, 98% far from it).
NO_EVIDENCE_SURE = ((-0.15, 0.98), (-0.10, 0.97), (-0.05, 0.93), (-0.03, 0.90), (0.0, 0.85))
# …and when the wording was not read at all.
NO_EVIDENCE_CONFIDENCE = 0.8
# …and with no evidence in a notice whose language our keywords cannot match: a weak "no",
# unless it has CPV codes, none of them ours (codes do not depend on the language; right 93%
# of the time in the same measurement).
FOREIGN_NO_EVIDENCE_CONFIDENCE = 0.6
FOREIGN_CODED_CONFIDENCE = 0.9
# How far balanced, conflicting evidence pulls confidence down.
CONFLICT_PENALTY = 0.15
MAX_CONFIDENCE = 0.98
MAX_REASON_KEYWORDS = 6


@dataclass(frozen=True, slots=True)
class Verdict:
    is_relevant: bool
    confidence: float
    reasoning: str
    evidence: list[str]


def decide(match: TenderMatch, foreign_language: str | None = None) -> Verdict:
    """The verdict on a match; `foreign_language` names the notice's language when it is not
    one of the profile's working languages, so the profile's keywords cannot be expected to
    match it (core.analysts.rules.signals.foreign_language)."""
    positive, negative = match.positive, match.negative
    evidence = _positive_evidence(match) + _exclusion_evidence(match.exclusion)
    if match.reading is not None:
        evidence.append(_reading_line(match))
    if positive == 0 and negative == 0:
        if foreign_language and match.coded:
            reason = (
                f"The notice is in {foreign_language}, so the profile's keywords cannot match "
                "it, but it has CPV codes and none of them is in the profile."
            )
            return Verdict(False, FOREIGN_CODED_CONFIDENCE, reason, evidence)
        if foreign_language:
            reason = (
                f"The notice is in {foreign_language}, so the profile's keywords cannot match "
                "it, and none of its classification codes is in the profile; a person should "
                "look before it is set aside."
            )
            return Verdict(False, FOREIGN_NO_EVIDENCE_CONFIDENCE, reason, evidence)
        reason = "No CPV code or keyword from the profile matches the notice"
        if match.reading is None:
            return Verdict(False, NO_EVIDENCE_CONFIDENCE, reason + ".", evidence)
        reason += f", and it reads like other work: {_reading_text(match)}."
        return Verdict(False, no_evidence_confidence(match.reading.margin), reason, evidence)
    reasoning = _reasoning(match)
    if foreign_language and not match.keywords:
        reasoning += f" The notice is in {foreign_language}: the verdict rests on its CPV codes."
    return Verdict(is_relevant(match), confidence(positive, negative), reasoning, evidence)


def is_relevant(match: TenderMatch) -> bool:
    return match.positive - match.negative >= MIN_NET_EVIDENCE


def relevant_share(net: float) -> float:
    """How often a tender with this net evidence was relevant (RELEVANT_SHARE)."""
    points, shares = zip(*RELEVANT_SHARE, strict=True)
    return float(np.interp(net, points, shares))


def confidence(positive: float, negative: float) -> float:
    """How often a verdict on this evidence is right; lower when evidence conflicts."""
    share = relevant_share(positive - negative)
    value = share if positive - negative >= MIN_NET_EVIDENCE else 1 - share
    if positive and negative:
        value -= CONFLICT_PENALTY * min(positive, negative) / max(positive, negative)
    return round(min(max(value, 0.5), MAX_CONFIDENCE), 3)


def no_evidence_confidence(margin: float) -> float:
    """How sure the "no" is when nothing in the profile matches and the wording reads
    `margin` closer to our work than to other work (negative: further)."""
    points, sure = zip(*NO_EVIDENCE_SURE, strict=True)
    return round(float(np.interp(margin, points, sure)), 3)


def _reading_text(match: TenderMatch) -> str:
    reading = match.reading
    assert reading is not None
    return (
        f"closest to {reading.ours} ({reading.ours_similarity:.2f}) against "
        f"{reading.other} ({reading.other_similarity:.2f})"
    )


def _reading_line(match: TenderMatch) -> str:
    reading = match.reading
    assert reading is not None
    if match.reading_weight and match.reads_like:
        return f"reads like {match.reads_like} ({reading.margin:+.2f}): {_reading_text(match)}"
    return f"wording ({reading.margin:+.2f}): {_reading_text(match)}"


def _neighbour_line(hit: NeighbourHit, capability: str) -> str:
    """'CPV 72413000 sits in 72400000 Internet services, next to our 72410000 (…)'."""
    area = hit.code[: hit.shared].ljust(8, "0")
    label = cpv_labels().get(area, "")
    where = f"{area} {label}".strip()
    ours = f"{cpv_label(hit.ours)} ({capability})"
    return f"CPV {cpv_label(hit.code)} sits in {where}, next to our {ours}"


def _positive_evidence(match: TenderMatch) -> list[str]:
    lines = []
    for capability in match.capabilities:
        lines += [f"CPV {cpv_label(hit.code)} → {capability.name}" for hit in capability.cpv_hits]
        lines += [_neighbour_line(hit, capability.name) for hit in capability.neighbour_hits]
        lines += [f"keyword '{hit.keyword}' in {hit.where}" for hit in capability.keyword_hits]
    return lines


def _exclusion_evidence(exclusion: Evidence) -> list[str]:
    lines = [f"excluded CPV {cpv_with_division(hit.code)}" for hit in exclusion.cpv_hits]
    lines += [f"excluded keyword '{hit.keyword}' in {hit.where}" for hit in exclusion.keyword_hits]
    return lines


def _positive_summary(match: TenderMatch) -> str:
    parts = [
        f"CPV {cpv_label(hit.code)} matches {capability.name}"
        for capability in match.capabilities
        for hit in capability.cpv_hits
    ]
    parts += [
        f"CPV {cpv_label(hit.code)} is next to {capability.name}"
        for capability in match.capabilities
        for hit in capability.neighbour_hits
    ]
    keywords = match.keywords
    if keywords:
        parts.append("keywords: " + ", ".join(keywords[:MAX_REASON_KEYWORDS]))
    if match.reading_weight and match.reading is not None:
        like = f" {match.reads_like}" if match.reads_like else " our work"
        parts.append(f"reads like{like} ({match.reading.ours})")
    return "; ".join(parts)


def _exclusion_summary(exclusion: Evidence) -> str:
    parts = [f"CPV {cpv_with_division(hit.code)}" for hit in exclusion.cpv_hits]
    parts += [f"keyword '{hit.keyword}'" for hit in exclusion.keyword_hits]
    return "; ".join(parts)


def _reasoning(match: TenderMatch) -> str:
    positive, negative = _positive_summary(match), _exclusion_summary(match.exclusion)
    if is_relevant(match):
        text = f"{positive[0].upper()}{positive[1:]}."
        return f"{text} Despite exclusion: {negative}." if negative else text
    if negative and not positive:
        return f"Excluded: {negative}."
    if negative and match.negative >= match.positive:
        return f"Excluded: {negative}; this outweighs {positive}."
    if negative:
        return f"Too little net evidence: {positive}; against exclusion: {negative}."
    return f"Too little evidence to call it relevant: only {positive}."
