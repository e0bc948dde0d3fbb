"""A long PDF is accepted at once and read in the background, a chunk per write: progress is
stored, a restart resumes after the last chunk, the matrix takes each document once."""

from __future__ import annotations

from pathlib import Path

from core.access.roles import CLI_ACTOR
from core.bootstrap import AppContext, open_context
from core.cli.main import main
from core.documents.reader import DocumentReader
from core.documents.service import CHUNK_PAGES, INLINE_PAGES
from storage.db import close_database
from tests.fakes import pdf_bytes

PAGES = 45


def _long_spec() -> bytes:
    pages = [[f"{n}. Page {n}", f"Background text on page {n}."] for n in range(1, PAGES + 1)]
    pages[29] = ["30. Security", "The supplier shall hold ISO 27001 certification."]
    pages[44] = ["45. Hosting", "The supplier must host all data in the UK."]
    return pdf_bytes(pages)


def _demo(tmp_path: Path) -> tuple[Path, AppContext]:
    db = tmp_path / "tw.duckdb"
    assert main(["--db", str(db), "demo"]) == 0
    return db, open_context(db_path=db)


def test_a_long_pdf_is_read_in_chunks_and_resumes_after_a_restart(tmp_path: Path) -> None:
    db, ctx = _demo(tmp_path)
    service = ctx.documents()
    record, new = service.add(1, "long.pdf", _long_spec(), CLI_ACTOR, background=True)
    assert new and record.reading and PAGES > INLINE_PAGES
    assert (record.pages, record.pages_read) == (PAGES, 0)
    assert ctx.matrix().rows(1) == []  # nothing read yet, nothing in the matrix

    progress = service.read_some()
    assert progress is not None and progress.pages_read == CHUNK_PAGES and progress.reading
    close_database(db)  # the process stops mid-way

    ctx = open_context(db_path=db)
    service = ctx.documents()
    [waiting] = service.reading()
    assert waiting.pages_read == CHUNK_PAGES
    reader = DocumentReader(service.read_some, lambda r: ctx.matrix().sync(r.tender_id))
    steps = 0
    while reader.step():
        steps += 1
    assert steps == -(-(PAGES - CHUNK_PAGES) // CHUNK_PAGES)  # the rest, chunk by chunk
    [done] = service.documents(1)
    assert (done.state, done.pages_read, done.in_matrix) == ("ready", PAGES, True)
    assert [p.number for p in service.pages(done.id)] == list(range(1, PAGES + 1))
    rows = ctx.matrix().rows(1)
    assert [(r.ref, r.page, r.mandatory) for r in rows] == [
        ("R-001", 30, True),
        ("R-002", 45, True),
    ]
    assert ctx.matrix().sync(1) == []  # the matrix takes a document once
    close_database(db)


def test_a_short_pdf_or_the_cli_reads_at_once(tmp_path: Path) -> None:
    db, ctx = _demo(tmp_path)
    service = ctx.documents()
    short, _ = service.add(
        1, "short.pdf", pdf_bytes([["The supplier shall do it well."]]), CLI_ACTOR, background=True
    )
    assert short.state == "ready" and short.pages_read == 1
    long, _ = service.add(1, "long.pdf", _long_spec(), CLI_ACTOR)  # not asked to wait
    assert long.state == "ready" and long.pages_read == PAGES
    assert service.reading() == []
    close_database(db)


def test_a_document_whose_file_went_missing_fails_with_one_sentence(tmp_path: Path) -> None:
    db, ctx = _demo(tmp_path)
    service = ctx.documents()
    record, _ = service.add(1, "long.pdf", _long_spec(), CLI_ACTOR, background=True)
    service.path_of(record.sha256).unlink()
    failed = service.read_some()
    assert failed is not None and failed.state == "failed"
    [listed] = service.documents(1)
    assert listed.state == "failed" and listed.error == (
        "The file of long.pdf is missing: add the document again."
    )
    assert service.read_some() is None and ctx.matrix().rows(1) == []
    close_database(db)


def test_a_docx_counts_its_pages_not_the_parts_its_tables_and_headings_make(
    tmp_path: Path,
) -> None:
    import io

    import docx

    document = docx.Document()
    document.add_heading("1. Requirements", level=1)
    document.add_paragraph("The supplier must host all data in the UK.")
    table = document.add_table(rows=2, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Criterion", "Weighting"
    table.rows[1].cells[0].text, table.rows[1].cells[1].text = "Quality", "60%"
    document.add_page_break()
    document.add_heading("2. Evaluation", level=1)
    document.add_paragraph("Price 40% of the evaluation.")
    buffer = io.BytesIO()
    document.save(buffer)
    db, ctx = _demo(tmp_path)
    record, _ = ctx.documents().add(1, "itt.docx", buffer.getvalue(), CLI_ACTOR, background=True)
    assert (record.state, record.pages, record.pages_read) == ("ready", 2, 2)
    assert len(ctx.documents().pages(record.id)) > 2  # its parts, each with its heading
    close_database(db)
