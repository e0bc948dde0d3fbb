"""Bid exports: DOCX parsed back with python-docx, Markdown read as text, files and ZIPs."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest

from core.export.bids import (
    BRIEF_HEADING,
    ExportError,
    bid_docx,
    bid_filename,
    bid_markdown,
    bids_zip,
    brief_docx,
    brief_filename,
    brief_markdown,
    clean_text,
    export_bids,
    internal_mentions,
    md_escape,
    text_blocks,
)
from core.models import (
    BidDocument,
    BidStatus,
    BidVersion,
    FilterResult,
    RatingResult,
    Recommendation,
    TenderState,
    TenderStatus,
)
from tests.fakes import BUYER_NEVER_READS, tender

NOW = datetime(2027, 1, 3, 9, 0, tzinfo=UTC)  # the exporter's "now", injected
DEADLINE = datetime(2027, 1, 15, tzinfo=UTC)
SECTION_HEADINGS = [
    "Executive summary",
    "Technical approach",
    "Value proposition",
    "Timeline estimate",
]
HOSTILE = "<script>alert(1)</script> [x](http://evil)"


def bid(**fields: object) -> BidDocument:
    values: dict[str, object] = {
        "executive_summary": "Acme proposes to deliver the service.\n\nBid lead: [to complete]",
        "technical_approach": "### Phases\n\n- Discovery\n• Delivery\n\nTeam: [to complete]",
        "value_proposition": "Why Acme:\n\n- Local team\n- Fixed price",
        "timeline_estimate": "Delivery in 12 weeks:\n- Phase one by week 4\n\nThen support.",
        "analyst": "llm:gpt-4o-mini@api.example.test",
        "model": "gpt-4o-mini",
        "prompt_version": "write-3f2a",
        "created_at": datetime(2027, 1, 2, 14, 30, tzinfo=UTC),
    }
    return BidDocument.model_validate(values | fields)


def rating() -> RatingResult:
    return RatingResult(
        overall_score=7.5,
        strategic_fit=8,
        win_probability=6.5,
        effort_required=4,
        strengths=["Strong cloud practice"],
        risks=["Tight deadline"],
        recommendation=Recommendation.BID,
    )


def state(
    title: str = "Cloud hosting for the council",
    tender_id: int | None = 12,
    with_bid: bool = True,
    with_rating: bool = True,
    **tender_fields: object,
) -> TenderState:
    tender_fields.setdefault("deadline", DEADLINE)
    return TenderState(
        tender=tender(title, id=tender_id, **tender_fields),
        status=TenderStatus.COMPLETE if with_bid else TenderStatus.RATED_LOW,
        filter=FilterResult(
            is_relevant=True, confidence=0.8, categories=["Cloud"], evidence=["cloud hosting"]
        ),
        rating=rating() if with_rating else None,
        bid=bid() if with_bid else None,
    )


def parse(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def headings(document: docx.document.Document, level: int) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == f"Heading {level}"]


def table_text(document: docx.document.Document) -> list[list[str]]:
    return [[c.text for c in row.cells] for t in document.tables for row in t.rows]


# --- DOCX for the buyer -------------------------------------------------------------------

# What a buyer must never read: the team's triage, and this fixture's strengths and risks.
INTERNAL_WORDS = (*BUYER_NEVER_READS, "Strong cloud practice", "Tight deadline")
# What the brief shows of them (the fixture's tender has no CPV code or preferred range).
IN_THE_BRIEF = ("/ 10", "Win probability", "Strategic fit", "to prepare", "confidence", "analyst")
IN_THE_BRIEF += ("Model", "Prompt version", "Strong cloud practice", "Tight deadline")


def docx_text(document: docx.document.Document) -> str:
    cells = [cell for row in table_text(document) for cell in row]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_docx_has_the_four_sections_in_order_and_nothing_else() -> None:
    document = parse(bid_docx(state(), company="Acme Ltd", now=NOW))

    assert headings(document, 1) == SECTION_HEADINGS


def test_docx_title_page_names_the_company_the_buyer_and_the_deadline() -> None:
    document = parse(bid_docx(state(source_id="RFQ-77"), company="Acme Ltd", now=NOW))
    texts = [p.text for p in document.paragraphs]
    rows = table_text(document)

    assert document.paragraphs[0].style.name == "Title"
    assert texts[0] == "Bid response: Cloud hosting for the council"
    assert "Submitted by Acme Ltd" in texts
    assert ["Buyer", "Test Council"] in rows
    assert ["Buyer's reference", "RFQ-77"] in rows
    assert ["Submission deadline", "15 Jan 2027 00:00 UTC"] in rows
    assert ["Date", "3 Jan 2027"] in rows
    assert "Draft: not yet approved for submission." in texts
    assert document.core_properties.title == "Bid response: Cloud hosting for the council"
    assert document.core_properties.author == "Acme Ltd"


def test_docx_for_the_buyer_holds_none_of_the_internal_triage() -> None:
    text = docx_text(parse(bid_docx(state(), company="Acme Ltd", now=NOW)))

    assert [word for word in INTERNAL_WORDS if word in text] == []
    assert "days left" not in text and "Tenderwise id" not in text


def test_docx_with_the_internal_brief_appended_has_the_triage() -> None:
    document = parse(bid_docx(state(), company="Acme Ltd", now=NOW, internal=True))
    text = docx_text(document)

    assert headings(document, 1) == [*SECTION_HEADINGS, BRIEF_HEADING]
    assert [word for word in IN_THE_BRIEF if word not in text] == []
    assert ["Relevance", "relevant, confidence 80%"] in table_text(document)
    assert "cloud hosting" in text
    assert "15 Jan 2027 00:00 UTC · 11 days left" in text


def test_an_approved_version_is_not_marked_as_a_draft() -> None:
    version = BidVersion(
        tender_id=12,
        version=3,
        status=BidStatus.APPROVED,
        document=bid(),
        approved_by="Alice",
        approved_at=datetime(2027, 1, 2, 16, 0, tzinfo=UTC),
    )
    document = parse(bid_docx(state(), company="Acme", now=NOW, version=version))
    texts = [p.text for p in document.paragraphs]

    assert ["Version", "3"] in table_text(document)
    assert not any("Draft" in t for t in texts)
    assert "Alice" not in docx_text(document)  # who approved is the team's business


def test_docx_title_page_comes_before_a_page_break() -> None:
    document = parse(bid_docx(state(), now=NOW))
    body = document.element.body
    xml = "".join(el.xml if hasattr(el, "xml") else "" for el in body.iterchildren())
    assert xml.index('w:type="page"') < xml.index("Executive summary")


def test_docx_without_company_has_no_submitted_by_line() -> None:
    document = parse(bid_docx(state(), now=NOW))
    assert not any(p.text.startswith("Submitted by") for p in document.paragraphs)
    assert document.core_properties.author == "Tenderwise"


def test_docx_bullets_subheadings_and_line_breaks() -> None:
    document = parse(bid_docx(state(), now=NOW))
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    texts = [p.text for p in document.paragraphs]

    assert bullets[:2] == ["Discovery", "Delivery"]
    assert "Local team" in bullets and "Phase one by week 4" in bullets
    assert "Phases" in headings(document, 2)
    assert "Acme proposes to deliver the service." in texts
    assert "Bid lead: [to complete]" in texts


def test_docx_drops_characters_xml_cannot_hold() -> None:
    hostile = state(
        title="Cloud\x00 hosting\x0bmigration " + HOSTILE,
        buyer="Council\x1f of \x08Somewhere",
    )
    hostile.bid = bid(executive_summary="Line\x00 one\x0cLine two\x1b", model="m\x07")
    hostile.rating.strengths = ["Fast\x00"]  # type: ignore[union-attr]

    document = parse(bid_docx(hostile, company="Acme\x00", now=NOW, internal=True))
    texts = [p.text for p in document.paragraphs]

    assert texts[0] == f"Bid response: Cloud hosting migration {HOSTILE}"
    assert ["Buyer", "Council of Somewhere"] in table_text(document)
    assert "Line one\nLine two" in texts
    assert "Submitted by Acme" in texts
    assert "Fast" in texts


def test_docx_with_a_title_longer_than_a_core_property_allows() -> None:
    document = parse(bid_docx(state(title="x" * 500), now=NOW))
    assert document.paragraphs[0].text == "Bid response: " + "x" * 500
    assert len(document.core_properties.title) == 255


def test_empty_section_is_marked_as_a_gap() -> None:
    empty = state()
    empty.bid = bid(value_proposition="")
    document = parse(bid_docx(empty, now=NOW))
    texts = [p.text for p in document.paragraphs]
    assert texts[texts.index("Value proposition") + 1] == "[to complete]"


def test_a_tender_without_a_bid_is_refused() -> None:
    with pytest.raises(ExportError, match="no bid draft"):
        bid_docx(state(with_bid=False))
    with pytest.raises(ExportError, match="no bid draft"):
        bid_markdown(state(with_bid=False))
    with pytest.raises(ExportError, match="no bid draft"):
        brief_docx(state(with_bid=False))


# --- the internal brief --------------------------------------------------------------------


def test_brief_holds_the_tender_facts_scores_strengths_risks_plan_gaps_and_provenance() -> None:
    document = parse(brief_docx(state(), company="Acme Ltd", now=NOW))
    texts = [p.text for p in document.paragraphs]
    rows = table_text(document)
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]

    assert texts[0] == "Internal brief: Cloud hosting for the council"
    assert "For the Acme Ltd bid team" in texts
    assert any("remove this before the bid goes to the buyer" in t for t in texts)
    assert ["Deadline", "15 Jan 2027 00:00 UTC · 11 days left"] in rows
    assert ["Tenderwise id", "12"] in rows
    assert ["Overall score", "7.5 / 10"] in rows
    assert ["Win probability", "6.5 / 10"] in rows
    assert ["Recommendation", "Bid"] in rows
    assert ["Drafted by", "LLM: gpt-4o-mini at api.example.test"] in rows
    assert ["Prompt version", "write-3f2a"] in rows
    assert "Strong cloud practice" in bullets and "Tight deadline" in bullets
    assert "Go/no-go decision by 4 Jan 2027" in bullets
    assert "Submit by 14 Jan 2027, a day early" in bullets
    assert "Executive summary: Bid lead: [to complete]" in bullets
    assert "Technical approach: Team: [to complete]" in bullets


def test_brief_without_a_rating_says_so() -> None:
    document = parse(brief_docx(state(with_rating=False), now=NOW))
    texts = [p.text for p in document.paragraphs]
    assert "This tender has no rating yet." in texts
    assert "Strengths" not in headings(document, 1)


def test_brief_lists_internal_wording_left_in_the_bid() -> None:
    leaky = state()
    leaky.bid = bid(
        value_proposition="Why us:\n\n- Our win probability is 7.5 / 10.\n- A local team.",
        timeline_estimate="Deadline leaves 43 days to prepare. Delivery in 12 weeks.",
    )

    assert internal_mentions(leaky.bid) == [
        ("Value proposition", "Our win probability is 7.5 / 10."),
        ("Timeline estimate", "Deadline leaves 43 days to prepare."),
    ]
    bullets = [
        p.text
        for p in parse(brief_docx(leaky, now=NOW)).paragraphs
        if p.style.name == "List Bullet"
    ]
    assert "Value proposition: “Our win probability is 7.5 / 10.”" in bullets
    assert internal_mentions(bid()) == []


def test_brief_response_plan_for_a_passed_or_missing_deadline() -> None:
    passed = parse(brief_docx(state(deadline=datetime(2027, 1, 1, tzinfo=UTC)), now=NOW))
    assert any("has passed" in p.text for p in passed.paragraphs)
    missing = parse(brief_docx(state(deadline=None), now=NOW))
    assert any("gives no deadline" in p.text for p in missing.paragraphs)


def test_brief_filename_sits_beside_the_bid() -> None:
    assert brief_filename(state(), "docx") == "tender-12-brief-cloud-hosting-for-the-council.docx"


# --- Markdown ------------------------------------------------------------------------------


def test_markdown_has_title_facts_and_sections_for_the_buyer() -> None:
    md = bid_markdown(state(), company="Acme Ltd", now=NOW)
    level_two = re.findall(r"^## (.+)$", md, flags=re.MULTILINE)

    assert md.startswith("# Bid response: Cloud hosting for the council\n")
    assert "Submitted by Acme Ltd" in md
    assert "- **Buyer:** Test Council" in md
    assert "- **Submission deadline:** 15 Jan 2027 00:00 UTC" in md
    assert level_two == SECTION_HEADINGS
    assert "### Phases\n\n- Discovery\n- Delivery\n" in md
    assert "Bid lead: \\[to complete\\]" in md
    assert [word for word in INTERNAL_WORDS if word in md] == []


def test_markdown_with_the_internal_brief() -> None:
    md = bid_markdown(state(), company="Acme Ltd", now=NOW, internal=True)
    level_two = re.findall(r"^## (.+)$", md, flags=re.MULTILINE)

    assert level_two == [*SECTION_HEADINGS, BRIEF_HEADING]
    assert "- **Drafted by:** LLM: gpt-4o-mini at api.example.test" in md  # not over-escaped
    assert "- Strong cloud practice" in md and "- Tight deadline" in md
    assert "- **Overall score:** 7.5 / 10" in md
    assert "- **Recommendation:** Bid" in md
    assert brief_markdown(state(), now=NOW).startswith("# Internal brief: Cloud hosting")


def test_markdown_keeps_single_line_breaks() -> None:
    two_lines = state()
    two_lines.bid = bid(executive_summary="First line\nSecond line")
    assert "First line  \nSecond line" in bid_markdown(two_lines, now=NOW)


def test_markdown_escapes_a_hostile_title_and_company() -> None:
    md = bid_markdown(state(title=HOSTILE), company="<b>Evil</b> *Co*", now=NOW)

    assert "\\<script\\>alert(1)\\</script\\> \\[x\\](http://evil)" in md
    assert "Submitted by \\<b\\>Evil\\</b\\> \\*Co\\*" in md
    # No unescaped character that could open HTML, a link or an image anywhere.
    assert re.search(r"(?<!\\)[<\[]", md) is None


def test_markdown_escapes_structure_in_untrusted_bid_text() -> None:
    sneaky = state()
    sneaky.bid = bid(
        executive_summary="Intro\n===\n\n1. not a list\n> quote\n`code` _em_ | pipe & amp"
    )
    md = bid_markdown(sneaky, now=NOW)
    assert "Intro  \n\\===" in md
    assert "1\\. not a list" in md
    assert "\\> quote" in md
    assert "\\`code\\` \\_em\\_ \\| pipe \\& amp" in md


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# not a heading", "\\# not a heading"),
        ("- item", "\\- item"),
        ("+ item", "\\+ item"),
        ("12) step", "12\\) step"),
        ("![img](http://x/y.png)", "!\\[img\\](http://x/y.png)"),
        ("plain words, 3.5 stars", "plain words, 3.5 stars"),
        ("7.5 / 10", "7.5 / 10"),
        ("2026.", "2026\\."),
    ],
)
def test_md_escape(text: str, expected: str) -> None:
    assert md_escape(text) == expected


def test_clean_text_keeps_words_and_line_breaks_only() -> None:
    assert clean_text("a\x00b\ud800c\ufffe\r\nd\x0be\u2028f\tg\x85h") == "abc\nd\ne\nf\tg\nh"


def test_text_blocks_split_paragraphs_bullets_and_headings() -> None:
    blocks = text_blocks("Intro line\nsecond\n\n## Sub\n- a\n* b\n\n\n• c\ntail")
    assert [(b.kind, b.text) for b in blocks] == [
        ("paragraph", "Intro line\nsecond"),
        ("heading", "Sub"),
        ("bullet", "a"),
        ("bullet", "b"),
        ("bullet", "c"),
        ("paragraph", "tail"),
    ]


# --- file names, folders, ZIP --------------------------------------------------------------

WINDOWS_RESERVED = set('<>:"/\\|?*')


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Cloud hosting for the council", "tender-12-cloud-hosting-for-the-council.docx"),
        ("../../etc/passwd", "tender-12-etc-passwd.docx"),
        ('a/b\\c:d*e?f"g<h>i|j', "tender-12-a-b-c-d-e-f-g-h-i-j.docx"),
        ("Straßenbau Ærø Zürich", "tender-12-strassenbau-aero-zurich.docx"),
        ("Υπηρεσίες νέφους", "tender-12.docx"),
        ("...", "tender-12.docx"),
        ("CON", "tender-12-con.docx"),
    ],
)
def test_bid_filename_is_ascii_and_safe(title: str, expected: str) -> None:
    assert bid_filename(state(title=title), "docx") == expected


def test_bid_filename_is_short_and_never_ends_in_a_dash() -> None:
    name = bid_filename(state(title="word " * 100), ".md")
    assert len(name) <= 80
    assert name.startswith("tender-12-word-word")
    assert name.endswith("word.md")
    assert name.isascii() and not (WINDOWS_RESERVED & set(name))


def test_bid_filename_for_an_unsaved_tender() -> None:
    assert bid_filename(state(tender_id=None), "md").startswith("tender-unsaved-")


def test_export_bids_writes_only_tenders_with_a_bid(tmp_path: Path) -> None:
    states = [
        state("First", tender_id=1),
        state("No bid", tender_id=2, with_bid=False),
        state("Third", tender_id=3),
    ]
    out_dir = tmp_path / "new" / "bids"

    paths = export_bids(states, "docx", out_dir, company="Acme")

    assert [p.name for p in paths] == ["tender-1-first.docx", "tender-3-third.docx"]
    assert sorted(p.name for p in out_dir.iterdir()) == [p.name for p in paths]
    assert headings(parse(paths[0].read_bytes()), 1)[0] == "Executive summary"


def test_export_bids_as_markdown(tmp_path: Path) -> None:
    [path] = export_bids([state()], "md", tmp_path)
    assert path.suffix == ".md"
    assert path.read_text(encoding="utf-8").startswith("# Bid response:")


def test_export_bids_refuses_a_file_as_the_folder(tmp_path: Path) -> None:
    a_file = tmp_path / "bids.docx"
    a_file.write_text("not a folder")
    with pytest.raises(ExportError, match="is a file, not a folder"):
        export_bids([state()], "docx", a_file)
    assert a_file.read_text() == "not a folder"


def test_export_bids_refuses_a_folder_it_cannot_create(tmp_path: Path) -> None:
    a_file = tmp_path / "bids.txt"
    a_file.write_text("x")
    with pytest.raises(ExportError, match="Could not create the folder"):
        export_bids([state()], "md", a_file / "inside")


def test_export_bids_refuses_an_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="choose docx or md"):
        export_bids([state()], "pdf", tmp_path)  # type: ignore[arg-type]


def test_bids_zip_holds_one_file_per_bid_with_unique_names() -> None:
    states = [
        state("Same title", tender_id=None),
        state("Same title", tender_id=None),
        state("Skipped", tender_id=5, with_bid=False),
        state("Other", tender_id=6),
    ]

    data = bids_zip(states, "md", company="Acme")

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == [
            "tender-unsaved-same-title.md",
            "tender-unsaved-same-title-2.md",
            "tender-6-other.md",
        ]
        assert archive.read("tender-6-other.md").decode().startswith("# Bid response: Other")


def test_bids_zip_of_docx_files_opens_in_python_docx() -> None:
    with zipfile.ZipFile(io.BytesIO(bids_zip([state()], "docx"))) as archive:
        [name] = archive.namelist()
        assert name == "tender-12-cloud-hosting-for-the-council.docx"
        assert headings(parse(archive.read(name)), 1) == SECTION_HEADINGS


def test_bids_zip_with_the_internal_brief_appended() -> None:
    with zipfile.ZipFile(io.BytesIO(bids_zip([state()], "docx", internal=True))) as archive:
        [name] = archive.namelist()
        assert headings(parse(archive.read(name)), 1)[-1] == BRIEF_HEADING


def test_the_brief_credits_the_person_who_last_edited_the_draft() -> None:
    version = BidVersion(
        tender_id=12, version=2, status=BidStatus.DRAFT, document=bid(), edited_by="Carol Diaz"
    )
    rows = table_text(parse(brief_docx(state(), now=NOW, version=version)))
    assert ["Last edited by", "Carol Diaz"] in rows
    assert ["First drafted by", "LLM: gpt-4o-mini at api.example.test"] in rows
    assert not any(row[0] == "Drafted by" for row in rows)
