"""The internal brief: what the bid team knows about a bid and the buyer must not read.

A bid document speaks to the buyer; everything Tenderwise worked out for the team (the tender's
facts with days left and CPV codes, the scores, strengths, risks and evidence, the response
plan, the gaps still marked [to complete], who or what drafted it) goes here instead, as its
own document or an appendix the user asks for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core.analysts.bid_writer import GAP
from core.analysts.wording import format_date, format_days
from core.export.bid_content import (
    GAP_NOTE,
    clean_text,
    draft_facts,
    one_line,
    rating_lists,
    scores,
    tender_facts_rows,
)
from core.models import BID_SECTIONS, BidDocument, BidVersion, Tender, TenderState
from core.views.describe import describe_analyst

BRIEF_HEADING = "Internal brief for the bid team"
BRIEF_WARNING = "For the bid team only: remove this before the bid goes to the buyer."

# Wording that belongs to the team's triage, not to a buyer: scores, the analyst's terms,
# our preferred ranges, days left to prepare, CPV matching. Found in a draft's sections,
# it is listed in the brief (and on the Bids page) so a person removes it before sending.
_INTERNAL = re.compile(
    r"\b\d+(?:\.\d+)?\s*(?:/|out of)\s*10\b"
    r"|\bwin(?:ning)? probability\b|\bstrategic fit\b|\boverall score\b|\beffort score\b"
    r"|\bpreferred (?:value )?range\b|\b(?:days?|weeks?) (?:left )?to prepare\b"
    r"|\bdays? left\b|\bgo/no-go\b|\bno-bid\b|\bCPV\b|\bconfidence\b"
    r"|\b(?:the|our|rules) analyst\b|\bprompt version\b|\bLLM\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


@dataclass(frozen=True, slots=True)
class Part:
    """One heading of the brief with its facts (label, value), bullet items and paragraphs."""

    heading: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)


def internal_mentions(bid: BidDocument) -> list[tuple[str, str]]:
    """(section heading, sentence) for every sentence of the draft that uses triage wording."""
    found: list[tuple[str, str]] = []
    for name, heading in BID_SECTIONS:
        for sentence in _SENTENCE.split(clean_text(getattr(bid, name))):
            sentence = one_line(sentence.lstrip("-•* "))
            if sentence and _INTERNAL.search(sentence):
                found.append((heading, sentence))
    return found


def gaps(bid: BidDocument) -> list[tuple[str, str]]:
    """(section heading, line) for every line still marked [to complete]; an empty section too."""
    found: list[tuple[str, str]] = []
    for name, heading in BID_SECTIONS:
        text = clean_text(getattr(bid, name))
        if not text.strip():
            found.append((heading, "the whole section is empty"))
        found += [
            (heading, one_line(line).lstrip("-•* ")) for line in text.split("\n") if GAP in line
        ]
    return found


def response_plan(tender: Tender, now: datetime) -> list[str]:
    """Milestones from now to the deadline: decide, draft, review, submit a day early."""
    if tender.deadline is None:
        return [f"The notice gives no deadline: confirm the submission date {GAP}."]
    days = (tender.deadline - now).total_seconds() / 86_400
    date = format_date(tender.deadline)
    if days < 0:
        return [f"The deadline ({date}) has passed: confirm with the buyer before submitting."]
    if days < 4:
        return [f"{format_days(days)} until the deadline on {date}: submit the draft as it stands."]

    def milestone(share: float) -> str:
        return format_date(now + timedelta(days=days * share))

    return [
        f"{format_days(days)} left to prepare, until the deadline on {date}.",
        f"Go/no-go decision by {milestone(0.1)}",
        f"First full draft by {milestone(0.6)}",
        f"Internal review and pricing sign-off by {milestone(0.85)}",
        f"Submit by {format_date(tender.deadline - timedelta(days=1))}, a day early",
    ]


def brief_parts(
    state: TenderState, bid: BidDocument, now: datetime, version: BidVersion | None = None
) -> list[Part]:
    parts = [Part("The tender", rows=tender_facts_rows(state, now))]
    parts.append(_assessment(state))
    if state.rating is not None:
        parts += [Part(heading, items=items) for heading, items in rating_lists(state.rating)]
    relevance = state.filter
    if relevance is not None and relevance.evidence:
        evidence = [one_line(e) for e in relevance.evidence]
        parts.append(Part("Evidence in the notice", items=evidence))
    plan = response_plan(state.tender, now)
    parts.append(Part("Response plan", text=plan[:1], items=plan[1:]))
    holes = gaps(bid)
    parts.append(
        Part(
            "Gaps to fill before sending",
            text=[GAP_NOTE if holes else "No gaps are marked: every section is written."],
            items=[f"{heading}: {line}" for heading, line in holes],
        )
    )
    mentions = internal_mentions(bid)
    if mentions:
        parts.append(
            Part(
                "Internal wording in the bid",
                text=[
                    "These sentences of the bid speak of our own assessment: reword or remove "
                    "them before the buyer reads the bid."
                ],
                items=[f"{heading}: “{sentence}”" for heading, sentence in mentions],
            )
        )
    parts.append(Part("About this draft", rows=draft_facts(bid, now, version)))
    return parts


def _assessment(state: TenderState) -> Part:
    rows: list[tuple[str, str]] = [("Status", state.status.label)]
    relevance = state.filter
    if relevance is not None:
        verdict = "relevant" if relevance.is_relevant else "not relevant"
        rows.append(("Relevance", f"{verdict}, confidence {relevance.confidence:.0%}"))
        if relevance.categories:
            rows.append(("Categories", one_line(", ".join(relevance.categories))))
        rows.append(("Filtered by", one_line(describe_analyst(relevance.analyst))))
        if relevance.reasoning:
            rows.append(("Reasoning", one_line(relevance.reasoning)))
    if state.rating is None:
        return Part("Assessment", rows=rows, text=["This tender has no rating yet."])
    rows += scores(state.rating)
    if state.rating.reasoning:
        rows.append(("Rating reasoning", one_line(state.rating.reasoning)))
    return Part("Assessment", rows=rows)
