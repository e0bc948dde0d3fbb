"""`documents links` and `documents fetch`: a notice's own document links, listed and fetched
into the tender's documents; each failure one line, exit 2, never a traceback."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from core.access.audit import AuditAction
from core.access.roles import CLI_ACTOR, Actor, NotAllowed
from core.bootstrap import open_context
from core.cli.main import main
from core.documents import service as document_service
from core.documents.fetch import fetch_document
from core.models import Role, utcnow
from storage.db import close_database
from tests.document_server import Answer, DocumentServer, closed_port
from tests.fakes import pdf_bytes

SPEC = pdf_bytes([["1. Scope", "The supplier shall host it in the UK."], ["2. Price", "40%"]])
LOGIN = b"<!doctype html><html><body>Sign in</body></html>"

# When the notice was published: a month before the test runs (nothing here compares it).
PUBLISHED = (utcnow() - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[DocumentServer]:
    """The portal, on 127.0.0.1: the CLI's fetcher may reach it there, and only there."""
    monkeypatch.setattr(
        document_service, "fetch_document", functools.partial(fetch_document, allow_private=True)
    )
    routes = {
        "/docs/spec.pdf": Answer(SPEC, "application/pdf"),
        "/portal/login": Answer(LOGIN, "text/html"),
    }
    with DocumentServer(routes) as running:
        yield running


def run(db: Path, *args: str) -> int:
    return main(["--db", str(db), *args])


def notice(server: DocumentServer, tmp_path: Path) -> Path:
    """An OCDS release whose notice links its specification, a portal page and a dead link."""
    release = {
        "ocid": "ocds-links-0001",
        "id": "ocds-links-0001-tender",
        "date": PUBLISHED,
        "tag": ["tender"],
        "buyer": {"name": "Northshire County Council"},
        "tender": {
            "id": "T-1",
            "title": "Archive hosting",
            "documents": [
                {
                    "id": "d1",
                    "documentType": "technicalSpecifications",
                    "title": "Specification",
                    "url": server.url("/docs/spec.pdf"),
                    "format": "application/pdf",
                },
                {"id": "d2", "title": "Tender portal", "url": server.url("/portal/login")},
                {"id": "d3", "title": "Old annex", "url": server.url("/docs/annex.pdf")},
                {"id": "d4", "title": "On a share", "url": "file:///C:/tenders/annex.pdf"},
            ],
        },
    }
    path = tmp_path / "release.json"
    path.write_text(json.dumps(release), encoding="utf-8")
    return path


def test_links_are_listed_and_fetched_and_each_failure_is_one_line(
    server: DocumentServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "tw.duckdb"
    assert run(db, "import", str(notice(server, tmp_path))) == 0
    capsys.readouterr()

    assert run(db, "documents", "links", "1", "--json") == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(link["title"], link["kind"], link["format"]) for link in listed] == [
        ("Specification", "technicalSpecifications", "application/pdf"),
        ("Tender portal", None, None),
        ("Old annex", None, None),
    ]  # as stored; the file: link is no web address
    assert run(db, "documents", "links", "1") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        f"  1  Specification (technicalSpecifications)  {server.url('/docs/spec.pdf')}"
    )

    assert run(db, "documents", "fetch", "1", "--all") == 2
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        "spec.pdf: fetched from 127.0.0.1 and added as document 1 of tender 1 (PDF, 2 pages)."
    ]
    assert captured.err.splitlines() == [
        "127.0.0.1 returned a web page, not a document: open the link in your browser, "
        "download the file and upload it here.",
        "127.0.0.1 answered 404 for /docs/annex.pdf: the link is out of date: find the "
        "document on the buyer's portal and upload it.",
    ]
    assert "Traceback" not in captured.err

    assert run(db, "documents", "fetch", "1", "1") == 0  # by its number: the same file
    assert capsys.readouterr().out.strip() == (
        "spec.pdf: fetched from 127.0.0.1, already on tender 1 as document 1."
    )

    ctx = open_context(db_path=db)
    try:
        service = ctx.documents()
        [record] = service.documents(1)
        assert (record.filename, record.pages, service.content(record)) == ("spec.pdf", 2, SPEC)
        events = ctx.audit().events(CLI_ACTOR, action=AuditAction.DOCUMENT_ADDED)
        assert [e.detail for e in events] == [f"spec.pdf: pdf, 2 pages, {len(SPEC):,} bytes"]
        viewer = Actor(name="vera", role=Role.VIEWER)
        asked = len(server.requests)
        with pytest.raises(NotAllowed):
            service.fetch(1, server.url("/docs/spec.pdf"), viewer)
        assert len(server.requests) == asked  # refused before any download
    finally:
        close_database(db)


def test_without_a_network_the_rest_waits_and_wrong_asks_are_one_line(
    server: DocumentServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "tw.duckdb"
    assert run(db, "import", str(notice(server, tmp_path))) == 0
    capsys.readouterr()

    dead = f"http://127.0.0.1:{closed_port()}/spec.pdf"
    assert run(db, "documents", "fetch", "1", dead, "1", "2") == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        "Tenderwise could not reach 127.0.0.1 (no network?): download the document in your "
        "browser and upload it here.",
        "2 other links not tried: fetch them when the network is back.",
    ]
    assert captured.out == ""

    for args, expected in (
        (("1",), "Say which links to fetch: their URLs or numbers from `documents links 1`"),
        (("1", "2", "--all"), "Say which links to fetch"),
        (("1", "7"), "There is no link 7: the notice gives 3 links."),
        (("999", "--all"), "There is no tender 999: `tenders` lists them."),
    ):
        assert run(db, "documents", "fetch", *args) == 1
        [line] = capsys.readouterr().err.splitlines()
        assert line.startswith(expected)
    assert run(db, "documents", "links", "999") == 1
    assert capsys.readouterr().err.startswith("There is no tender 999")
