"""The rules analyst's bid writer: a structured first draft with the gaps marked `[to complete]`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core.analysts.bid_phrases import APPROACH_BY_KEYWORD
from core.analysts.rules.match import TenderMatch
from core.analysts.wording import format_date, format_days, join_words
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
    now: datetime,
) -> BidDraft:
    categories = match.category_names or list(relevance.categories)
    return BidDraft(
        executive_summary=executive_summary(tender, profile, match, categories),
        technical_approach=technical_approach(tender, match, categories),
        value_proposition=value_proposition(profile, rating),
        timeline_estimate=timeline_estimate(tender, rating, now),
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
            f"The requirement sits in our {_practices(categories)}: the notice asks for "
            f"{join_words(keywords[:5])}, which we deliver."
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
        opening = f"The notice asks for {join_words(keywords)}."
    else:
        opening = f"{_buyer(tender)} needs {category.lower()} expertise for this requirement."
    body = " ".join(dict.fromkeys(sentences)) or (
        f"We will apply our standard {category.lower()} method, tailored to the specification "
        f"{GAP}."
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


def value_proposition(profile: CompanyProfile, rating: RatingResult) -> str:
    bullets = [f"- {strength}" for strength in rating.strengths]
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


def _response_plan(tender: Tender, now: datetime) -> str:
    if tender.deadline is None:
        return f"Response plan: no deadline in the notice; submission date {GAP}."
    days = (tender.deadline - now).total_seconds() / 86_400
    date = format_date(tender.deadline)
    if days < 0:
        return f"Response plan: the deadline ({date}) has passed; confirm with the buyer {GAP}."
    if days < 4:
        return f"Response plan: {format_days(days)} until {date}; submit the draft as it stands."

    def milestone(share: float) -> str:
        return format_date(now + timedelta(days=days * share))

    return (
        f"Response plan ({format_days(days)} until the deadline on {date}):\n"
        f"- Go/no-go decision by {milestone(0.1)}\n"
        f"- First full draft by {milestone(0.6)}\n"
        f"- Internal review and pricing sign-off by {milestone(0.85)}\n"
        f"- Submit by {format_date(tender.deadline - timedelta(days=1))}, a day early"
    )


def timeline_estimate(tender: Tender, rating: RatingResult, now: datetime) -> str:
    weeks = _delivery_weeks(rating.effort_required)
    phases = "\n".join(_phase_lines(weeks))
    return (
        f"{_response_plan(tender, now)}\n\n"
        f"Delivery estimate: about {weeks} weeks from contract award "
        f"(effort {rating.effort_required}/10):\n{phases}\n\n"
        f"Contract start date and duration from the tender documents: {GAP}"
    )
