"""Files over the configured size limit are refused in one sentence, and nothing is stored.

The limit is `max_upload_mb` (env TENDERWISE_MAX_UPLOAD_MB, default 200, the same as
Streamlit's server.maxUploadSize in .streamlit/config.toml).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.cli import main
from core.config import PROJECT_ROOT, Settings, get_settings
from core.imports.preview import preview_file
from core.ingest import ImportFileError, parse_file, parse_path
from core.ingest.content import MB

ROW = "Managed cloud hosting and IT support for the council,City of Ely,2030-12-31\n"


def csv_of(size: int) -> bytes:
    """A valid tender CSV of at least `size` bytes (distinct titles, so rows are new)."""
    lines = ["title,buyer,deadline\n"]
    total, n = len(lines[0]), 0
    while total < size:
        n += 1
        line = f"{n} {ROW}"
        lines.append(line)
        total += len(line)
    return "".join(lines).encode()


@pytest.fixture
def limit_1mb(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TENDERWISE_MAX_UPLOAD_MB", "1")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_the_setting_defaults_to_200_and_reads_the_environment(monkeypatch) -> None:
    monkeypatch.delenv("TENDERWISE_MAX_UPLOAD_MB", raising=False)
    monkeypatch.delenv("MAX_UPLOAD_MB", raising=False)
    assert Settings().max_upload_mb == 200
    monkeypatch.setenv("TENDERWISE_MAX_UPLOAD_MB", "5")
    assert Settings().max_upload_mb == 5
    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == 200, "Streamlit refuses the same size"


def test_a_file_over_the_limit_is_refused_through_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], limit_1mb: None
) -> None:
    db = tmp_path / "tw.duckdb"
    big = tmp_path / "portal_export.csv"
    big.write_bytes(csv_of(MB + MB // 4))
    assert main(["--db", str(db), "import", str(big)]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    line = lines[0]
    assert "portal_export.csv" in line and "1.3 MB" in line and "1 MB import limit" in line
    assert "split" in line and "TENDERWISE_MAX_UPLOAD_MB" in line
    assert line.endswith(".") and "Traceback" not in captured.err + captured.out
    assert main(["--db", str(db), "status", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["tenders"] == 0, "nothing stored"


def test_a_file_under_the_limit_is_imported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], limit_1mb: None
) -> None:
    db = tmp_path / "tw.duckdb"
    small = tmp_path / "small.csv"
    small.write_bytes(csv_of(MB - 4096))
    code = main(["--db", str(db), "import", str(small)])
    assert code == 0, capsys.readouterr().err
    capsys.readouterr()
    assert main(["--db", str(db), "status", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["tenders"] > 1000


def test_the_real_command_line_refuses_it_too(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_bytes(csv_of(MB + 1024))
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LLM_", "OPENAI_", "DUCKDB_", "TENDERWISE_"))
    }
    env |= {
        "TENDERWISE_MAX_UPLOAD_MB": "1",
        "TENDERWISE_LOG_DIR": str(tmp_path / "logs"),
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    db = tmp_path / "tw.duckdb"
    done = subprocess.run(
        [sys.executable, "-m", "core.cli", "--db", str(db), "import", str(big)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert "big.csv" in line and "bytes" in line and "1 MB import limit" in line, line


def test_parse_file_and_the_import_page_refuse_before_reading(tmp_path: Path) -> None:
    data = csv_of(2 * MB + MB // 2)
    with pytest.raises(ImportFileError) as refused:
        parse_file(data, "upload.csv", limit_mb=2)
    assert str(refused.value).startswith("upload.csv is 2.5 MB, over the 2 MB import limit")
    assert len(parse_file(data, "upload.csv", limit_mb=3).tenders) > 1000

    path = tmp_path / "huge.csv"
    path.write_bytes(data)
    settings = Settings(max_upload_mb=2)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("core.ingest.get_settings", lambda: settings)
        with pytest.raises(ImportFileError, match=r"huge\.csv is 2\.5 MB"):
            parse_path(path)
        preview = preview_file(data, "huge.csv")
        assert preview.failed and "over the 2 MB import limit" in preview.failed
