"""The rules analyst's bid writer: a structured first draft with the gaps marked `[to complete]`.

The draft is written to the buyer. What the analyst found about fit and risk (scores, our
preferred value range, days left to prepare, CPV matching) is for the bid team and stays in the
rating, which the internal brief shows; the sections say what we deliver and how.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.analysts.bid_phrases import APPROACH_BY_KEYWORD
from core.analysts.rules.match import TenderMatch
from core.analysts.wording import join_words
from core.models import FilterResult, RatingResult, Tender
from core.profile.company import CompanyProfile

GAP = "[to complete]"
# Share of the delivery period each phase takes; the durations follow the effort score.
PHASES = (
    ("Mobilisation", 0.10, "agree governance, access and the detailed plan with {buyer}"),
    ("Discovery and design", 0.20, "confirm scope, users and success measures; agree the design"),
    ("Delivery", 0.55, "build, test and deploy in increments, reviewed with {buyer}"),
    ("Handover and support", 0.15, "train staff, hand over documentation, agree ongoing support"),
)


@dataclass(frozen=True, slots=True)
class BidDraft:
    executive_summary: str
    technical_approach: str
    value_proposition: str
    timeline_estimate: str


def write_bid(
    tender: Tender,
    profile: CompanyProfile,
    match: TenderMatch,
    relevance: FilterResult,
    rating: RatingResult,
) -> BidDraft:
    categories = match.category_names or list(relevance.categories)
    return BidDraft(
        executive_summary=executive_summary(tender, profile, match, categories),
        technical_approach=technical_approach(tender, match, categories),
        value_proposition=value_proposition(profile, match, categories),
        timeline_estimate=timeline_estimate(rating),
    )


def _buyer(tender: Tender) -> str:
    return tender.buyer or "the contracting authority"


def _practices(categories: list[str]) -> str:
    return f"{join_words(categories)} practice{'s' if len(categories) > 1 else ''}"


def executive_summary(
    tender: Tender, profile: CompanyProfile, match: TenderMatch, categories: list[str]
) -> str:
    keywords = match.keywords
    if categories and keywords:
        fit = (
            f"Your requirement for {join_words(keywords[:5])} is the work of our "
            f"{_practices(categories)}, which deliver it today."
        )
    elif categories:
        fit = f"The requirement sits in our {_practices(categories)}."
    else:
        fit = f"Why we fit this requirement: {GAP}"
    paragraphs = [
        f"{profile.company_name} proposes to deliver “{tender.title}” for {_buyer(tender)}.",
        fit,
        profile.summary or f"Company overview: {GAP}",
        f"Bid lead and contact details: {GAP}",
    ]
    return "\n\n".join(paragraphs)


def _category_paragraph(tender: Tender, category: str, keywords: tuple[str, ...]) -> str:
    sentences = [
        APPROACH_BY_KEYWORD[k.lower()] for k in keywords if k.lower() in APPROACH_BY_KEYWORD
    ]
    if keywords:
        opening = f"The requirement covers {join_words(keywords)}."
    else:
        opening = f"{_buyer(tender)} needs {category.lower()} expertise for this requirement."
    body = " ".join(dict.fromkeys(sentences)) or (
        f"We will apply our standard {category} method, tailored to the specification {GAP}."
    )
    return f"### {category}\n\n{opening} {body}"


def technical_approach(tender: Tender, match: TenderMatch, categories: list[str]) -> str:
    keywords_by_category = {c.name: c.keywords for c in match.capabilities}
    sections = [
        _category_paragraph(tender, category, keywords_by_category.get(category, ()))
        for category in categories
    ] or [f"### Approach\n\nApproach to the requirement: {GAP}"]
    buyer = _buyer(tender)
    phases = "\n".join(f"- {name}: {what.format(buyer=buyer)}." for name, _, what in PHASES)
    sections.append(f"### Phases\n\n{phases}")
    sections.append(f"Named team members and their roles: {GAP}")
    return "\n\n".join(sections)


def value_proposition(profile: CompanyProfile, match: TenderMatch, categories: list[str]) -> str:
    keywords_by_category = {c.name: c.keywords for c in match.capabilities}
    bullets = []
    for category in categories:
        words = keywords_by_category.get(category, ())
        if words:
            bullets.append(f"- {category}: a team that already delivers {join_words(words[:4])}.")
        else:
            bullets.append(f"- {category}: our track record on similar work {GAP}")
    if not bullets:
        bullets.append(f"- How our experience meets the requirement: {GAP}")
    if profile.summary:
        bullets.append(f"- {profile.summary}")
    bullets += [
        f"- Relevant case studies with client references: {GAP}",
        f"- Pricing and day rates: {GAP}",
        f"- Social value commitments: {GAP}",
    ]
    return f"Why {profile.company_name}:\n\n" + "\n".join(bullets)


def _delivery_weeks(effort: float) -> int:
    """Higher effort, longer delivery: 8 weeks for trivial work up to 28 for the heaviest."""
    return round(8 + 2 * effort)


def _phase_lines(weeks: int) -> list[str]:
    lines, start = [], 1
    for index, (name, share, _) in enumerate(PHASES):
        last = index == len(PHASES) - 1
        # The last phase takes what rounding left, so the phases add up to the estimate.
        length = max(1, weeks - start + 1 if last else round(weeks * share))
        end = start + length - 1
        span = f"Week {start}" if length == 1 else f"Weeks {start}–{end}"
        lines.append(f"- {span}: {name}")
        start = end + 1
    return lines


def timeline_estimate(rating: RatingResult) -> str:
    """Delivery phases from contract award; the length follows the effort the analyst rated."""
    weeks = _delivery_weeks(rating.effort_required)
    phases = "\n".join(_phase_lines(weeks))
    return (
        f"Delivery estimate: about {weeks} weeks from contract award:\n{phases}\n\n"
        f"Contract start date and duration from the tender documents: {GAP}"
    )
