"""A notice's own document links, as each importer keeps them: web addresses only, each once,
at most 50, titles on one line, with what the source calls each document."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from core.ingest import parse_file, parse_path
from core.ingest.links import MAX_LINKS, FoundLink, document_links, web_address
from core.models import NoticeDocument, utcnow

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DATA = Path(__file__).resolve().parents[3] / "shared" / "data"

# When the notice was published: a month before the test runs (nothing here compares it).
PUBLISHED = (utcnow() - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_only_complete_web_addresses_are_links() -> None:
    assert web_address(" https://buyer.example/docs/spec.pdf ") == (
        "https://buyer.example/docs/spec.pdf"
    )
    assert web_address("HTTP://buyer.example") == "HTTP://buyer.example"
    for not_a_link in (
        "file:///C:/tenders/spec.pdf",
        "javascript:alert(1)",
        "ftp://buyer.example/spec.pdf",
        "https://",
        "https://buyer.example/a spec.pdf",
        "www.buyer.example",
        "https://[::1",
        "https://buyer.example/" + "x" * 2_000,
        "",
        None,
    ):
        assert web_address(not_a_link) is None, not_a_link


def test_links_are_kept_once_at_most_fifty_with_their_titles_on_one_line() -> None:
    found = [
        FoundLink("https://buyer.example/spec.pdf", "  Technical\n  specification ", "spec"),
        FoundLink("https://buyer.example/spec.pdf", "The same again"),
        FoundLink("mailto:tenders@buyer.example", "Write to us"),
        FoundLink("https://buyer.example/itt.docx", "x" * 600, None, " application/msword "),
        *(FoundLink(f"https://buyer.example/annex/{n}", "") for n in range(100)),
    ]
    links = document_links(found)
    assert len(links) == MAX_LINKS == 50
    assert links[0] == NoticeDocument(
        title="Technical specification", url="https://buyer.example/spec.pdf", kind="spec"
    )
    assert links[1].title == "x" * 500 and links[1].format == "application/msword"
    assert links[2] == NoticeDocument(title=None, url="https://buyer.example/annex/0")


def test_ocds_keeps_tender_then_planning_documents_with_their_type_and_format() -> None:
    release = {
        "ocid": "ocds-test-links-1",
        "id": "ocds-test-links-1-tender",
        "date": PUBLISHED,
        "tag": ["tender"],
        "tender": {
            "id": "T-1",
            "title": "Archive hosting",
            "documents": [
                {
                    "id": "d1",
                    "documentType": "technicalSpecifications",
                    "title": " Specification\n(v2) ",
                    "url": "https://buyer.example/spec.pdf",
                    "format": "application/pdf",
                },
                {"id": "d2", "title": "Local copy", "url": "file:///C:/spec.pdf"},
                {"id": "d3", "title": "No address"},
                "not a document",
                *(
                    {"id": f"a{n}", "title": f"Annex {n}", "url": f"https://buyer.example/a/{n}"}
                    for n in range(60)
                ),
            ],
        },
        "planning": {
            "documents": [
                {"id": "p1", "documentType": "needsAssessment", "url": "https://buyer.example/p"},
                {"id": "p2", "title": "Twice", "url": "https://buyer.example/spec.pdf"},
            ]
        },
    }
    [tender] = parse_file(json.dumps(release).encode(), "release.json").tenders
    assert len(tender.documents) == 50
    assert tender.documents[0] == NoticeDocument(
        title="Specification (v2)",
        url="https://buyer.example/spec.pdf",
        kind="technicalSpecifications",
        format="application/pdf",
    )
    assert tender.documents[1].title == "Annex 0"

    release["tender"]["documents"] = release["tender"]["documents"][:1]  # type: ignore[index]
    [tender] = parse_file(json.dumps(release).encode(), "release.json").tenders
    assert [(d.url, d.kind) for d in tender.documents] == [
        ("https://buyer.example/spec.pdf", "technicalSpecifications"),
        ("https://buyer.example/p", "needsAssessment"),  # planning's, after the tender's
    ]


def test_eforms_keeps_the_procurement_documents_of_the_notice_and_its_lots() -> None:
    notice = (FIXTURES / "eforms" / "cn_lots.xml").read_text(encoding="utf-8")
    restricted = """<cac:CallForTendersDocumentReference>
        <cbc:ID>DOC-3</cbc:ID>
        <cbc:DocumentType>restricted-document</cbc:DocumentType>
        <cac:Attachment><cac:ExternalReference><cbc:URI>https://portal.example/login?cft=9</cbc:URI></cac:ExternalReference></cac:Attachment>
      </cac:CallForTendersDocumentReference>
      <cac:FiscalLegislationDocumentReference>
        <cbc:ID>FISC</cbc:ID>
        <cac:Attachment><cac:ExternalReference><cbc:URI>https://tax.example/rules</cbc:URI></cac:ExternalReference></cac:Attachment>
      </cac:FiscalLegislationDocumentReference>
    </cac:TenderingTerms>"""
    notice = notice.replace("</cac:TenderingTerms>", restricted, 1)
    [tender] = parse_file(notice.encode(), "notice.xml").tenders
    assert [(d.title, d.url, d.kind) for d in tender.documents] == [
        (
            "Procurement documents",
            "https://vergabe.musterstadt.example/docs/17",
            "non-restricted-document",
        ),
        (
            "Restricted procurement documents",
            "https://portal.example/login?cft=9",
            "restricted-document",
        ),
        ("Fiscal legislation", "https://tax.example/rules", None),
    ]  # the second lot's copy of DOC-1 and its javascript: link are left out


def test_ted_keeps_the_document_and_participation_links_once() -> None:
    notice = (FIXTURES / "ted" / "minimal_f02.xml").read_text(encoding="utf-8")
    notice = notice.replace(
        "<URL_PARTICIPATION>javascript:alert(1)</URL_PARTICIPATION>",
        "<URL_PARTICIPATION>www.tenders.example/submit</URL_PARTICIPATION>"
        "<URL_DOCUMENT>https://docs.example.org/tenders/42</URL_DOCUMENT>",
    )
    [tender] = parse_file(notice.encode(), "notice.xml").tenders
    assert [(d.title, d.url) for d in tender.documents] == [
        ("Procurement documents", "https://docs.example.org/tenders/42"),
        ("Submit tenders or requests to participate", "https://www.tenders.example/submit"),
    ]


def test_samgov_keeps_the_additional_information_link() -> None:
    lines = (FIXTURES / "samgov_opportunities.csv").read_bytes().decode("cp1252").splitlines()
    header, first = lines[0], lines[1]
    assert header.endswith(",AdditionalInfoLink,Link,Description")
    # the first notice's AdditionalInfoLink, empty in the fixture, just before its Link
    row = first.replace(
        ",,https://sam.gov/opp/", ",https://agency.example/rfp/12,https://sam.gov/opp/", 1
    )
    parsed = parse_file("\n".join([header, row]).encode(), "opportunities.csv")
    [tender] = parsed.tenders
    assert tender.url == "https://sam.gov/opp/a1b2c3d4e5f60718293a4b5c6d7e8f90/view"
    assert tender.documents == [
        NoticeDocument(title="Additional information", url="https://agency.example/rfp/12")
    ]
    [no_link] = parse_file("\n".join([header, first]).encode(), "opportunities.csv").tenders
    assert no_link.documents == []


# --- the real notices in ../shared/data ----------------------------------------------------


@pytest.mark.skipif(not DATA.is_dir(), reason="shared data is absent")
def test_real_notices_keep_their_document_links() -> None:
    """Counts measured on the notices of shared/data (SOURCES.md)."""
    with_links: Counter[str] = Counter()
    links: Counter[str] = Counter()
    for folder in (
        "eforms",
        "ted-r209",
        "ocds/ukraine",
        "ocds/nigeria",
        "ocds/uk-contracts-finder",
    ):
        for path in sorted((DATA / folder).glob("*")):
            for tender in parse_path(path).tenders:
                assert len(tender.documents) <= MAX_LINKS
                assert all(d.url.startswith(("http://", "https://")) for d in tender.documents)
                assert len({d.url for d in tender.documents}) == len(tender.documents)
                with_links[folder] += bool(tender.documents)
                links[folder] += len(tender.documents)
    assert with_links == Counter({"eforms": 9, "ted-r209": 22, "ocds/ukraine": 10})
    assert links == Counter({"eforms": 14, "ted-r209": 23, "ocds/ukraine": 41})
