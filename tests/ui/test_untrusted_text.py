"""Tender text and analyst output shown as text: no links, images or directives from them.

st.markdown renders Markdown links and images (an image loads an outside URL when the page
opens) and Streamlit's :colour[…] directives. Untrusted text goes through core.views.markup's
escaping; these tests put hostile Markdown in a tender and its analysis and read every
element that renders Markdown on the Tenders, Review, Bids and Dashboard pages.
"""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from core.bootstrap import AppContext
from core.models import (
    BidDocument,
    FilterResult,
    NoticeDocument,
    RatingResult,
    Recommendation,
    ReviewStage,
    StageOutcome,
    Tender,
    TenderStatus,
)
from tests.ui.helpers import app_test

IMAGE = "![x](http://evil.test/x.png)"
LINK = "[click](javascript:alert(1))"
DIRECTIVE = ":red[alarm]"
HOSTILE = f"{IMAGE} Cloud hosting {LINK} {DIRECTIVE}"
# Unescaped Markdown link or image syntax: '[text](' not preceded by a backslash.
LIVE_LINK = re.compile(r"(?<!\\)\[[^\]\n]*(?<!\\)\]\(")
LIVE_DIRECTIVE = re.compile(r"(?<!\\):red(?<!\\)\[")


def _markdown_values(at: AppTest) -> list[str]:
    """Every string on the page that Streamlit renders as Markdown."""
    values: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption"):
        values += [str(e.value) for e in getattr(at, kind)]
    for kind in ("info", "warning", "error", "success"):
        values += [str(e.value) for e in getattr(at, kind)]
    for kind in ("expander", "tabs"):
        values += [str(e.label) for e in getattr(at, kind)]
    values += [str(e.proto.label) for e in at.get("link_button")]
    for kind in ("button", "metric", "checkbox", "toggle", "radio", "text_area", "text_input"):
        values += [str(e.label) for e in getattr(at, kind)]
    return values


def _assert_inert(at: AppTest, *, shows_title: bool = True) -> None:
    assert not at.exception, [e.value for e in at.exception]
    values = _markdown_values(at)
    for value in values:
        assert IMAGE not in value and LINK not in value and DIRECTIVE not in value, value
        assert not LIVE_LINK.search(value), value
        assert not LIVE_DIRECTIVE.search(value), value
    if shows_title:
        plain = [v.replace("\\", "").replace("\u2060", "") for v in values]
        assert any(HOSTILE in v for v in plain), "the title is shown, as text"


@pytest.fixture
def hostile(ctx: AppContext) -> int:
    """One tender with hostile Markdown everywhere, waiting for review with a bid-ready rating,
    and one complete tender whose bid draft carries the same text."""
    tenders = [
        Tender(
            source="test",
            source_id=f"HOSTILE-{n}",
            title=HOSTILE if n == 1 else f"{HOSTILE} (lot {n})",
            buyer=LINK,
            description=f"{IMAGE}\n<img src=x onerror=alert(1)>\n{LINK}",
            cpv_codes=["72000000"],
            documents=[NoticeDocument(title=f"Terms {IMAGE} {LINK}", url="https://docs.test/t")],
        )
        for n in (1, 2)
    ]
    ctx.tenders.import_tenders(tenders, source_file="hostile.json")
    states = sorted(ctx.tenders.all_states(), key=lambda s: s.tender.id or 0)
    relevance = FilterResult(
        is_relevant=True,
        confidence=0.5,
        reasoning=f"Reasoning with {LINK} and {IMAGE}",
        evidence=[LINK],
        analyst="llm:fake@http://llm.test/v1",
    )
    rating = RatingResult(
        overall_score=8,
        strategic_fit=8,
        win_probability=6,
        effort_required=4,
        strengths=[f"Strength {LINK}"],
        risks=[f"Risk {IMAGE} {DIRECTIVE}"],
        recommendation=Recommendation.BID,
        reasoning=f"Rated {IMAGE}",
        analyst="llm:fake@http://llm.test/v1",
    )
    section = f"Section text {LINK} then {IMAGE} and {DIRECTIVE} to make it long enough."
    bid = BidDocument(
        executive_summary=section,
        technical_approach=section,
        value_proposition=section,
        timeline_estimate=section,
        analyst="llm:fake@http://llm.test/v1",
    )
    waiting, complete = (s.tender.id or 0 for s in states)
    ctx.tenders.save_outcomes(
        [
            StageOutcome(
                tender_id=waiting,
                filter=relevance,
                rating=rating,
                status=TenderStatus.NEEDS_REVIEW,
                review_stage=ReviewStage.RELEVANCE,
            ),
            StageOutcome(
                tender_id=complete,
                filter=relevance,
                rating=rating,
                bid=bid,
                status=TenderStatus.COMPLETE,
            ),
        ]
    )
    return waiting


def _page(page: str, **session: object) -> AppTest:
    at = app_test("alice")
    at.run()
    for key, value in session.items():
        at.session_state[key] = value
    at.switch_page(page).run()
    return at


def test_the_tender_page_shows_hostile_markdown_as_text(db_path, hostile: int) -> None:
    _assert_inert(_page("pages/tenders.py", tender_id=hostile))


def test_the_tender_page_shows_a_hostile_bid_draft_as_text(db_path, hostile: int) -> None:
    _assert_inert(_page("pages/tenders.py", tender_id=hostile + 1), shows_title=False)


def test_the_review_page_shows_hostile_markdown_as_text(db_path, hostile: int) -> None:
    _assert_inert(_page("pages/review.py"))


def test_the_bids_page_shows_hostile_markdown_as_text(db_path, hostile: int) -> None:
    _assert_inert(_page("pages/bids.py", bids_tender_id=hostile + 1), shows_title=False)


def test_the_dashboard_shows_hostile_markdown_as_text(db_path, hostile: int) -> None:
    _assert_inert(_page("pages/dashboard.py"), shows_title=False)


def test_the_check_would_catch_a_live_link() -> None:
    assert LIVE_LINK.search(f"Title: {LINK}") and LIVE_LINK.search(IMAGE)
    assert not LIVE_LINK.search(r"\!\[x\]\(http\:...")
    assert LIVE_DIRECTIVE.search(DIRECTIVE) and not LIVE_DIRECTIVE.search(r"\:red\[alarm\]")
