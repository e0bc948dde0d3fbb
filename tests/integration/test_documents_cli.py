"""`documents add` and `documents list`: files kept by content hash, text by page, audited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.access.audit import AuditAction
from core.access.roles import CLI_ACTOR
from core.bootstrap import open_context
from core.cli.main import main
from storage.db import close_database
from tests.fakes import pdf_bytes

SPEC = [["1. Scope", "The supplier shall host it in the UK."], ["2. Price", "Price 40%"]]


def run(db: Path, *args: str) -> int:
    return main(["--db", str(db), *args])


def test_documents_are_added_once_listed_and_a_broken_one_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "tw.duckdb"
    assert run(db, "demo") == 0
    spec = tmp_path / "specification.pdf"
    spec.write_bytes(pdf_bytes(SPEC))
    copy = tmp_path / "same-file-renamed.pdf"
    copy.write_bytes(spec.read_bytes())
    capsys.readouterr()

    assert run(db, "documents", "add", "1", str(spec), str(copy)) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "specification.pdf: added as document 1 of tender 1 (PDF, 2 pages, 14 words)."
    assert out[1] == (
        "same-file-renamed.pdf: already on tender 1 as document 1 (specification.pdf)."
    )

    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\nendobj\n")
    assert run(db, "documents", "add", "1", str(broken)) == 2
    captured = capsys.readouterr()
    [line] = captured.err.strip().splitlines()
    assert line.startswith("broken.pdf could not be read as a PDF") and "Traceback" not in line

    assert run(db, "documents", "list", "1", "--json") == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert (listed["filename"], listed["kind"], listed["pages"]) == ("specification.pdf", "pdf", 2)

    ctx = open_context(db_path=db)
    try:
        service = ctx.documents()
        [record] = service.documents(1)
        assert service.content(record) == spec.read_bytes()  # the file as uploaded
        assert service.path_of(record.sha256).parent.parent == db.parent / "documents"
        pages = service.pages(record.id)
        assert [(p.number, p.text.splitlines()[0]) for p in pages] == [
            (1, "1. Scope"),
            (2, "2. Price"),
        ]
        events = ctx.audit().events(CLI_ACTOR, action=AuditAction.DOCUMENT_ADDED)
        assert [e.detail for e in events] == [
            "specification.pdf: pdf, 2 pages, " + f"{len(spec.read_bytes()):,} bytes"
        ]
    finally:
        close_database(db)

    assert run(db, "documents", "add", "999", str(spec)) == 2
    assert "There is no tender 999" in capsys.readouterr().err


def _demo_and_spec(tmp_path: Path) -> tuple[Path, Path]:
    """A database with the demo, and the three-page specification of the extractor's tests."""
    from tests.unit.test_requirements import SPEC

    db = tmp_path / "tw.duckdb"
    assert run(db, "demo") == 0
    spec = tmp_path / "specification.pdf"
    spec.write_bytes(pdf_bytes(SPEC))
    return db, spec


def test_requirements_json_has_one_object_per_row_with_the_matrix_fields(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, spec = _demo_and_spec(tmp_path)
    assert run(db, "requirements", "1") == 0
    assert "No requirements found for tender 1" in capsys.readouterr().out
    assert run(db, "documents", "add", "1", str(spec)) == 0
    capsys.readouterr()
    assert run(db, "requirements", "1", "--json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 16
    assert set(rows[0]) == {
        "ref", "text", "source", "page", "section", "mandatory", "kind", "weight", "owner",
        "status", "response",
    }  # fmt: skip
    assert rows[0]["ref"] == "R-001" and rows[0]["source"] == "specification.pdf"
    assert (rows[0]["status"], rows[0]["owner"], rows[0]["response"]) == ("open", None, "")
    weights = {r["text"]: r["weight"] for r in rows if r["kind"] == "evaluation"}
    assert weights == {"Quality": 60, "Price": 40, "Technical approach": 30, "Social value": 10}


def test_the_matrix_is_owned_answered_audited_and_exported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import openpyxl

    from core.access.roles import Actor
    from core.documents.matrix import MatrixError
    from core.models import Role

    db, spec = _demo_and_spec(tmp_path)
    assert run(db, "documents", "add", "1", str(spec)) == 0
    echo = "tender season 2026"
    ctx = open_context(db_path=db)
    try:
        ctx.accounts().add(CLI_ACTOR, "carol", "Carol Diaz", Role.BID_MANAGER, echo)
        carol = Actor(name="carol", role=Role.BID_MANAGER)
        matrix = ctx.matrix()
        first, second = matrix.rows(1)[:2]
        assert matrix.summary(1).blocking[:2] == [first.ref, second.ref]
        matrix.update(1, first.ref, carol, owner="carol", status="compliant", response="=UK only")
        with pytest.raises(MatrixError, match="is not a status"):
            matrix.update(1, second.ref, carol, status="done")
        with pytest.raises(MatrixError, match="There is no user 'zed'"):
            matrix.update(1, second.ref, carol, owner="zed")
        matrix.update(1, second.ref, carol, dropped=True)
        added = matrix.add_row(1, "Staff must be security cleared to SC level.", carol)
        assert added.ref == "R-017" and added.origin == "added"
        summary = matrix.summary(1)
        assert first.ref not in summary.blocking and second.ref not in summary.blocking
        assert added.ref in summary.blocking
        events = ctx.audit().events(CLI_ACTOR, action=AuditAction.MATRIX_CHANGED)
        assert [e.actor for e in events] == ["carol"] * 3
    finally:
        close_database(db)
    capsys.readouterr()

    out = tmp_path / "matrix.xlsx"
    assert run(db, "export", "matrix", "1", "--out", str(out)) == 0
    assert capsys.readouterr().out.startswith("16 rows written to")  # 16 found, 1 dropped, 1 added
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["Ref", "Kind", "Requirement"] and "Owner" in header
    row = {h: c.value for h, c in zip(header, sheet[2], strict=True)}
    assert (row["Owner"], row["Status"]) == ("carol", "compliant")
    assert row["Response"] == "'=UK only"  # formula-safe
    assert run(db, "requirements", "1", "--json") == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed[0]["status"] == "compliant" and listed[0]["owner"] == "carol"


def test_rows_split_by_the_extractor_are_merged_back_and_their_refs_stay(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from core.access.roles import Actor
    from core.documents.matrix import MatrixError
    from core.models import Role

    db, spec = _demo_and_spec(tmp_path)
    assert run(db, "documents", "add", "1", str(spec)) == 0
    ctx = open_context(db_path=db)
    try:
        ctx.accounts().add(CLI_ACTOR, "carol", "Carol Diaz", Role.BID_MANAGER, "tender season 26")
        carol = Actor(name="carol", role=Role.BID_MANAGER)
        matrix = ctx.matrix()
        rows = matrix.rows(1)
        first, second = [r for r in rows if r.kind == "obligation"][:2]
        criterion = next(r for r in rows if r.kind == "evaluation")
        matrix.update(1, second.ref, carol, response="Hosted in London.")
        with pytest.raises(MatrixError, match="cannot be merged"):
            matrix.merge(1, first.ref, [criterion.ref], carol)
        with pytest.raises(MatrixError, match="Pick at least one other row"):
            matrix.merge(1, first.ref, [first.ref], carol)
        kept = matrix.merge(1, first.ref, [second.ref], carol)
        assert kept.text == f"{first.text} {second.text}"
        assert kept.mandatory == (first.mandatory or second.mandatory)
        assert kept.response == "Hosted in London."
        after = {r.ref: r for r in matrix.rows(1)}
        assert after[second.ref].dropped and after[second.ref].merged_into == first.ref
        assert len(after) == len(rows)  # nothing deleted: refs stay
        with pytest.raises(MatrixError, match=f"no row {second.ref} to merge"):
            matrix.merge(1, first.ref, [second.ref], carol)
        event = ctx.audit().events(CLI_ACTOR, action=AuditAction.MATRIX_CHANGED)[0]  # newest
        assert event.detail == f"merged {second.ref} into {first.ref}"
        matrix.update(1, second.ref, carol, dropped=False)  # brought back
        assert matrix.rows(1)[1].merged_into is None
    finally:
        close_database(db)


def test_adding_documents_says_what_the_matrix_took_and_requirements_shows_key_dates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import timedelta

    from core.models import utcnow

    db = tmp_path / "tw.duckdb"
    assert run(db, "demo") == 0
    due = utcnow() + timedelta(days=40)
    itt = tmp_path / "itt.txt"
    itt.write_text(
        "The supplier must hold ISO 27001 certification.\n"
        f"Tenders must be received by 12:00 on {due:%d %B %Y}.\n",
        encoding="utf-8",
    )
    capsys.readouterr()
    assert run(db, "documents", "add", "1", str(itt)) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == (
        "1 requirement and 0 evaluation criteria found for the compliance matrix: "
        "`requirements 1` lists them."
    )
    assert run(db, "requirements", "1") == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].startswith("R-001  must  p.1    The supplier must hold ISO 27001")
    assert listed[1:] == [
        "Key dates in the documents:",
        f"  Tenders due: {due:%a} {due.day} {due:%b %Y}, 12:00 (itt.txt, page 1)",
    ]
