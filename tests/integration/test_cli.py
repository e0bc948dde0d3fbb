"""The CLI contract in DESIGN.md, driven in-process and through `python -m core.cli`."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import docx
import openpyxl
import pytest

from core.access.roles import CLI_ACTOR
from core.bootstrap import open_context
from core.cli import main
from core.models import RESTING_STATUSES, Role
from tests.fakes import BUYER_NEVER_READS

ROOT = Path(__file__).resolve().parents[2]

PLAIN_CSV = ROOT / "tests" / "fixtures" / "tenders_plain.csv"


@pytest.fixture
def tenders_csv(tmp_path: Path) -> Path:
    path = tmp_path / "tenders.csv"
    path.write_bytes(PLAIN_CSV.read_bytes())
    return path


def _json_out(capsys: pytest.CaptureFixture[str], argv: list[str]) -> object:
    capsys.readouterr()
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_import_run_status_tenders(tmp_path, tenders_csv, capsys):
    db = str(tmp_path / "tw.duckdb")
    assert main(["--db", db, "import", str(tenders_csv)]) == 0
    out = capsys.readouterr().out
    assert "tenders.csv (csv): 5 new, 0 duplicates, 0 row errors" in out

    status = _json_out(capsys, ["--db", db, "status", "--json"])
    assert status["tenders"] == 5 and status["by_status"]["pending"] == 5
    assert status["analyst"] == "rules"

    assert main(["--db", db, "run"]) == 0
    assert "Done: 5 tenders" in capsys.readouterr().out

    status = _json_out(capsys, ["--db", db, "status", "--json"])
    assert set(status) >= {"tenders", "by_status", "review_queue", "bids", "errors", "analyst"}
    resting = {s.value for s in RESTING_STATUSES}
    busy = {k: v for k, v in status["by_status"].items() if v and k not in resting}
    assert busy == {}, f"every tender should rest, found {busy}"
    assert status["errors"] == 0

    records = _json_out(capsys, ["--db", db, "tenders", "--json"])
    assert len(records) == 5
    by_id = {r["source_id"]: r for r in records}
    required = {
        "id", "source", "source_id", "title", "description", "buyer", "value_amount",
        "value_currency", "deadline", "cpv_codes", "status", "analyst",
    }  # fmt: skip
    assert all(required <= set(r) for r in records)
    assert by_id["T-1"]["value_amount"] == 180_000 and by_id["T-1"]["value_currency"] == "GBP"
    assert by_id["T-1"]["cpv_codes"] == ["72212730"]
    assert by_id["T-1"]["is_relevant"] is True and by_id["T-1"]["analyst"] == "rules"
    assert by_id["T-2"]["status"] == "filtered_out"
    assert by_id["T-4"]["status"] == "filtered_out"
    assert status["bids"] == sum(1 for r in records if r["status"] == "complete")


def test_reimport_counts_duplicates(tmp_path, tenders_csv, capsys):
    db = str(tmp_path / "tw.duckdb")
    main(["--db", db, "import", str(tenders_csv)])
    capsys.readouterr()
    assert main(["--db", db, "import", str(tenders_csv)]) == 0
    assert "0 new, 5 duplicates" in capsys.readouterr().out


def test_refused_file_exits_2_with_one_line_and_stores_nothing(tmp_path, capsys):
    db = str(tmp_path / "tw.duckdb")
    bad = tmp_path / "notes.pdf"
    bad.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    assert main(["--db", db, "import", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "notes.pdf" in err and "Traceback" not in err
    assert _json_out(capsys, ["--db", db, "status", "--json"])["tenders"] == 0


def test_missing_file_is_one_line(tmp_path, capsys):
    assert main(["--db", str(tmp_path / "tw.duckdb"), "import", str(tmp_path / "nope.csv")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "nope.csv" in err


def test_a_folder_imports_the_tender_files_in_it(tmp_path, capsys):
    db = str(tmp_path / "tw.duckdb")
    folder = tmp_path / "downloads"
    (folder / "2025" / ".cache").mkdir(parents=True)
    (folder / "a.csv").write_text("title,buyer\nCloud hosting,City of Ely\n", encoding="utf-8")
    (folder / "2025" / "b.json").write_text('[{"title": "SOC services"}]', encoding="utf-8")
    (folder / "2025" / ".cache" / "c.csv").write_text("title\nHidden\n", encoding="utf-8")
    (folder / "README.md").write_text("# not a tender file\n", encoding="utf-8")
    (folder / "~$book.xlsx").write_bytes(b"lock")
    assert main(["--db", db, "import", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "b.json (json): 1 new" in out and "a.csv (csv): 1 new" in out
    assert "README" not in out and "Hidden" not in out
    assert _json_out(capsys, ["--db", db, "status", "--json"])["tenders"] == 2

    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["--db", db, "import", str(empty)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        f"empty: refused — {empty} holds no tender files (.csv, .xlsx, .json, .jsonl, .xml); "
        "name the files to import, or the folder they are in."
    )


def test_demo_then_run(tmp_path, capsys):
    db = str(tmp_path / "tw.duckdb")
    assert main(["--db", db, "demo"]) == 0
    assert main(["--db", db, "run"]) == 0
    status = _json_out(capsys, ["--db", db, "status", "--json"])
    assert status["tenders"] >= 30
    assert status["by_status"]["filtered_out"] > 0 and status["by_status"]["pending"] == 0
    # by default every bid needs approval: relevant tenders wait, and no bid is written yet
    assert status["review_queue"] == status["by_status"]["needs_review"] > 0
    assert status["by_status"]["complete"] == 0 and status["bids"] == 0


def test_pause_flag_is_shared(tmp_path, capsys):
    db = str(tmp_path / "tw.duckdb")
    assert main(["--db", db, "pause"]) == 0
    assert _json_out(capsys, ["--db", db, "status", "--json"])["paused"] is True
    assert main(["--db", db, "resume"]) == 0
    assert _json_out(capsys, ["--db", db, "status", "--json"])["paused"] is False


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TENDERWISE_LOG_DIR": str(cwd / "logs")}
    return subprocess.run(
        [sys.executable, "-m", "core.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_module_entry_point_and_locked_database(tmp_path, tenders_csv):
    db = tmp_path / "tw.duckdb"
    done = _cli("--db", str(db), "import", str(tenders_csv), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    # another process (as the dashboard would) holds the file open
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, duckdb; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); "
            "sys.stdin.read()",
            str(db),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        locked = _cli("--db", str(db), "status", "--json", cwd=tmp_path)
    finally:
        holder.communicate("", timeout=30)
    assert locked.returncode == 1
    message = locked.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert "in use by process" in message and "Traceback" not in message
    again = _cli("--db", str(db), "status", "--json", cwd=tmp_path)
    assert again.returncode == 0 and json.loads(again.stdout)["tenders"] == 5, "nothing was lost"


def test_reanalyse_needs_ids_or_all_and_queues_them(tmp_path, capsys):
    db = str(tmp_path / "tw.duckdb")
    assert main(["--db", db, "demo"]) == 0
    assert main(["--db", db, "run"]) == 0
    capsys.readouterr()
    assert main(["--db", db, "reanalyse"]) == 1
    assert capsys.readouterr().err.strip() == "Name the tenders to re-analyse (IDs), or pass --all."
    assert main(["--db", db, "reanalyse", "1", "2"]) == 0
    assert capsys.readouterr().out.startswith("2 tenders queued for analysis again")
    status = _json_out(capsys, ["--db", db, "status", "--json"])
    assert isinstance(status, dict) and status["by_status"]["pending"] == 2
    assert main(["--db", db, "reanalyse", "--all"]) == 0
    assert capsys.readouterr().out.startswith("40 tenders queued")


def test_export_table_and_bids(tmp_path, capsys):
    db = str(tmp_path / "tw.duckdb")
    assert main(["--db", db, "demo"]) == 0
    assert main(["--db", db, "run"]) == 0
    open_context(db_path=db).accounts().add(
        CLI_ACTOR, "al", "Al", Role.APPROVER, "tender season 2026"
    )
    capsys.readouterr()
    queue = _json_out(capsys, ["--db", db, "review", "list", "--json"])
    go = [item["tender_id"] for item in queue if item["proposal"] == "go"]
    for tender_id in go:
        assert main(["--db", db, "review", "decide", str(tender_id), "--accept", "--by", "al"]) == 0
    capsys.readouterr()

    table = tmp_path / "out" / "tenders.csv"
    assert main(["--db", db, "export", "table", "--format", "csv", "--out", str(table)]) == 0
    assert capsys.readouterr().out.startswith("40 tenders written to")
    text = table.read_text(encoding="utf-8-sig")
    cells = [cell for line in csv.reader(io.StringIO(text)) for cell in line]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)

    sheet_path = tmp_path / "tenders.xlsx"
    assert main(["--db", db, "export", "table", "--format", "xlsx", "--out", str(sheet_path)]) == 0
    sheet = openpyxl.load_workbook(sheet_path).active
    assert sheet is not None and sheet.max_row == 41
    capsys.readouterr()

    bids_dir = tmp_path / "bids"
    assert main(["--db", db, "export", "bids", "--format", "docx", "--out", str(bids_dir)]) == 0
    written = sorted(bids_dir.glob("*.docx"))
    assert len(written) == len(go) > 0
    assert capsys.readouterr().out.startswith(f"{len(written)} bids written to")
    headings = [
        p.text for p in docx.Document(str(written[0])).paragraphs if p.style.name == "Heading 1"
    ]
    for heading in ("Executive summary", "Technical approach", "Value proposition"):
        assert heading in headings
    assert main(["--db", db, "export", "bids", "--format", "md", "--out", str(bids_dir)]) == 0
    assert len(list(bids_dir.glob("*.md"))) == len(written)
    capsys.readouterr()

    # Every bid speaks to the buyer; --internal adds the team's brief (issue 17).
    company = "Submitted by Northwind Digital"
    for path in written:
        text = _docx_text(path)
        assert company in text
        leaked = [word for word in BUYER_NEVER_READS if word in text]
        assert leaked == [], f"{path.name} tells the buyer {leaked}"
    brief_dir = tmp_path / "with-brief"
    args = ["--db", db, "export", "bids", "--out", str(brief_dir), "--internal"]
    assert main(args) == 0
    assert "remove it before sending" in capsys.readouterr().out
    briefed = sorted(brief_dir.glob("*.docx"))
    assert len(briefed) == len(written)
    for path in briefed:
        text = _docx_text(path)
        for word in ("/ 10", "Win probability", "Strategic fit", "confidence", "Prompt version"):
            assert word in text, f"{path.name} has no {word!r} in its brief"
        assert "left to prepare" in text and "CPV codes" in text


def _docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_export_refusals_are_one_sentence(tmp_path, capsys):
    db = str(tmp_path / "tw.duckdb")
    assert main(["--db", db, "demo"]) == 0
    capsys.readouterr()
    assert main(["--db", db, "export", "table", "--out", str(tmp_path)]) == 1
    message = capsys.readouterr().err.strip()
    assert message.endswith(".") and "is a folder" in message and "\n" not in message
    a_file = tmp_path / "taken"
    a_file.write_text("x")
    assert main(["--db", db, "export", "bids", "--out", str(a_file)]) == 0  # no bids yet
    assert "No bid drafts yet" in capsys.readouterr().err


ODD_LAYOUT = (
    "Opportunity name,Estimated spend (GBP),Closing Date,Closing Time,Internal notes\n"
    'Cloud hosting for the council,"120,000",24/07/2027,12:00,call Bob\n'
)


def test_import_map_names_columns_and_is_remembered_for_the_layout(tmp_path, capsys):
    db = str(tmp_path / "tw.duckdb")
    first = tmp_path / "export-1.csv"
    first.write_text(ODD_LAYOUT, encoding="utf-8")
    assert main(["--db", db, "import", str(first)]) == 2
    err = capsys.readouterr().err
    assert "has no title column" in err and 'name it with --map "Your title column=title"' in err
    assert len(err.strip().splitlines()) == 1

    args = ["--db", db, "import", str(first), "--map", "Opportunity name=title"]
    assert main([*args, "--map", "Estimated spend (GBP)=value"]) == 0
    out = capsys.readouterr().out
    assert "1 new" in out
    assert 'columns not used: Internal notes (to read one, add --map "Internal notes=FIELD")' in out

    # the next export of the same layout needs no --map
    second = tmp_path / "export-2.csv"
    second.write_text(ODD_LAYOUT.replace("Cloud hosting", "Data platform"), encoding="utf-8")
    assert main(["--db", db, "import", str(second)]) == 0
    capsys.readouterr()
    assert main(["--db", db, "tenders", "--json"]) == 0
    stored = {t["title"]: t for t in json.loads(capsys.readouterr().out)}
    assert set(stored) == {"Cloud hosting for the council", "Data platform for the council"}
    for tender in stored.values():
        assert (tender["value_amount"], tender["value_currency"]) == (120_000, "GBP")
        assert tender["deadline"].startswith("2027-07-24T12:00")

    assert main(["--db", db, "import", str(first), "--map", "Estimated spend=budget"]) == 1
    message = capsys.readouterr().err.strip()
    assert "'budget' is not a field" in message and "\n" not in message
