"""Tender page → the notice's document links: listed for everyone, fetched by bid managers and
up into the tender's documents, a failure shown in one sentence. No network is used: the
fetcher is replaced by one that answers from a dict."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from core.bootstrap import AppContext
from core.documents import service as document_service
from core.documents.extract import DocumentError
from core.documents.fetch import Unreachable
from core.models import NoticeDocument
from tests.fakes import pdf_bytes, tender

SPEC = pdf_bytes([["The supplier shall host it in the UK."], ["Price 40%"]])
LINKS = [
    NoticeDocument(
        title="Technical specification",
        url="https://buyer.example/docs/spec.pdf",
        kind="technicalSpecifications",
    ),
    NoticeDocument(
        title="Tender portal [sign in](https://evil.example)", url="https://portal.example/"
    ),
    NoticeDocument(title=None, url="https://annex.example/annex.pdf"),
]


@pytest.fixture
def fetched(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The links fetched; the specification comes back, the portal is a sign-in page and the
    annex's site does not answer."""
    asked: list[str] = []

    def fake_fetch(url: str, *, max_bytes: int) -> tuple[str, bytes]:
        asked.append(url)
        if url.endswith("spec.pdf"):
            return "spec.pdf", SPEC
        if "portal" in url:
            raise DocumentError(
                "portal.example returned a web page, not a document: open the link in your "
                "browser, download the file and upload it here."
            )
        raise Unreachable(
            "Tenderwise could not reach annex.example (no network?): download the document in "
            "your browser and upload it here."
        )

    monkeypatch.setattr(document_service, "fetch_document", fake_fetch)
    return asked


def _with_links(ctx: AppContext) -> int:
    ctx.tenders.add_tenders([tender("Cloud hosting for the council", documents=LINKS)])
    return ctx.tenders.all_states()[0].tender.id or 0


def _messages(at: AppTest) -> tuple[list[str], list[str]]:
    clean = lambda e: e.value.replace("\\", "").replace("\u2060", "")  # noqa: E731
    return [clean(s) for s in at.success], [clean(e) for e in at.error]


def test_a_link_is_fetched_into_the_documents_and_a_portal_page_is_one_sentence(
    open_page: Callable[[str], AppTest], ctx: AppContext, fetched: list[str]
) -> None:
    tender_id = _with_links(ctx)
    at = open_page("pages/tenders.py", user="carol")
    assert not at.exception
    assert any(e.label == "Document links in the notice (3)" for e in at.expander)
    opened = [b.proto for b in at.get("link_button")]
    assert [b.url for b in opened] == [link.url for link in LINKS]
    assert opened[1].label.startswith("Tender portal \\[sign in\\]")  # shown, not a link
    assert opened[2].label.replace("\\", "") == "annex.example"  # no title: the site
    assert any(
        "technical specifications · buyer.example" in c.value.replace("\\", "") for c in at.caption
    )

    at.button(key=f"fetch_link_{tender_id}_0").click().run()
    assert not at.exception
    assert fetched == ["https://buyer.example/docs/spec.pdf"]
    successes, errors = _messages(at)
    assert successes == ["spec.pdf fetched and added (2 pages)."] and errors == []
    assert [r.filename for r in ctx.documents().documents(tender_id)] == ["spec.pdf"]
    listed = next(d.value for d in at.dataframe if "document" in d.value.columns)
    assert list(listed["document"]) == ["spec.pdf"]

    at.button(key=f"fetch_link_{tender_id}_1").click().run()
    assert not at.exception
    successes, errors = _messages(at)
    assert errors == [
        "portal.example returned a web page, not a document: open the link in your browser, "
        "download the file and upload it here."
    ]
    assert [r.filename for r in ctx.documents().documents(tender_id)] == ["spec.pdf"]


def test_fetch_all_stops_at_a_site_that_does_not_answer(
    open_page: Callable[[str], AppTest], ctx: AppContext, fetched: list[str]
) -> None:
    links = [LINKS[2], LINKS[0], LINKS[1]]  # the unreachable one first
    ctx.tenders.add_tenders([tender("Archive hosting", documents=links)])
    tender_id = ctx.tenders.all_states()[0].tender.id
    at = open_page("pages/tenders.py", user="carol")
    at.button(key=f"fetch_all_{tender_id}").click().run()
    assert not at.exception
    assert fetched == ["https://annex.example/annex.pdf"]
    successes, errors = _messages(at)
    assert successes == []
    assert errors == [
        "Tenderwise could not reach annex.example (no network?): download the document in your "
        "browser and upload it here.",
        "2 other links not tried: fetch them when the network is back.",
    ]


def test_a_viewer_sees_the_links_but_fetches_none(
    open_page: Callable[[str], AppTest], ctx: AppContext, fetched: list[str]
) -> None:
    _with_links(ctx)
    at = open_page("pages/tenders.py", user="vera")
    assert not at.exception
    assert len(at.get("link_button")) == 3
    assert not [b for b in at.button if b.label.startswith("Fetch")]
    assert fetched == []


def test_a_notice_without_links_shows_no_section(
    open_page: Callable[[str], AppTest], ctx: AppContext
) -> None:
    ctx.tenders.add_tenders([tender("Cloud hosting for the council")])
    at = open_page("pages/tenders.py", user="carol")
    assert not at.exception
    assert not [e for e in at.expander if e.label.startswith("Document links")]
    assert not at.get("link_button")
