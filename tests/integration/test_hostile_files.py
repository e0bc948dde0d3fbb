"""Hostile and broken files through the CLI: one line each, exit 2, nothing stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.bootstrap import open_context
from core.cli import main
from storage.db import close_database

HOSTILE: dict[str, bytes] = {
    "empty.csv": b"",
    "random.bin": bytes(range(256)) * 64,
    "cut_off.json": b'[{"title": "Cloud hosting", "buyer": "City of Ely", "deadl',
    "wrong_columns.csv": b"Reference;Amount;When\nA-1;100;2026-01-01\nA-2;200;2026-02-01\n",
    "broken.xml": b'<?xml version="1.0"?><TED_EXPORT xmlns="ted/R2.0.9.S02/publication">'
    b'<FORM_SECTION><F02_2014 LG="EN"><OBJECT_CONTRACT><TITLE><P>Cloud',
    "specification.pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
    "billion_laughs.xml": b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    b"<TED_EXPORT><TITLE>&lol2;</TITLE></TED_EXPORT>",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_file_is_refused_in_one_line_and_nothing_is_stored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    db = tmp_path / "tw.duckdb"
    path = tmp_path / name
    path.write_bytes(HOSTILE[name])
    assert main(["--db", str(db), "import", str(path)]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert name in lines[0] and "Traceback" not in captured.err
    assert lines[0].rstrip().endswith("."), "a sentence saying what to do"
    assert main(["--db", str(db), "status", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["tenders"] == 0


def test_good_files_in_the_same_run_are_kept(tmp_path: Path, capsys) -> None:
    db = tmp_path / "tw.duckdb"
    good = tmp_path / "good.csv"
    good.write_text("title,buyer\nCloud hosting,City of Ely\nData platform,NHS Wales\n")
    bad = tmp_path / "specification.pdf"
    bad.write_bytes(HOSTILE["specification.pdf"])
    assert main(["--db", str(db), "import", str(good), str(bad), str(good)]) == 2
    out = capsys.readouterr().out
    assert "good.csv (csv): 2 new" in out and "0 new, 2 duplicates" in out
    ctx = open_context(db_path=db)
    try:
        assert ctx.tenders.count() == 2, "duplicate rows are stored once"
    finally:
        close_database(db)
