"""Zip bombs posing as workbooks, and what importing them costs.

Builds two XLSX files of a few MB: one whose single cell unpacks to about 1 GB, one whose
shared-strings table does. Each is imported in a fresh process (as `import` on the command
line would read it); prints the time, the peak memory and the one line it was refused with.

Run: .venv/bin/python bench/bombs.py [--gb 1.0]
"""

from __future__ import annotations

import argparse
import io
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

_CHUNK = b"A" * (1 << 20)


def _workbook() -> bytes:
    """A one-sheet workbook with a Title column, from openpyxl (a valid file to start from)."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["Title", "Description"])
    book.active.append(["Hospital cleaning", "x"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def bomb(kind: str, unpacked_bytes: int) -> bytes:
    """An XLSX whose sheet (kind "cell") or shared strings ("strings") unpack to about
    `unpacked_bytes`, written as a stream (never held unpacked in memory)."""
    source = zipfile.ZipFile(io.BytesIO(_workbook()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for item in source.infolist():
            if kind == "cell" and item.filename == "xl/worksheets/sheet1.xml":
                _stream(target, item.filename, _huge_cell_sheet(unpacked_bytes))
            elif kind == "strings" and item.filename == "xl/sharedStrings.xml":
                _stream(target, item.filename, _huge_strings(unpacked_bytes))
            else:
                target.writestr(item, source.read(item.filename))
        if kind == "strings" and "xl/sharedStrings.xml" not in source.namelist():
            _stream(target, "xl/sharedStrings.xml", _huge_strings(unpacked_bytes))
    return out.getvalue()


def _stream(target: zipfile.ZipFile, name: str, parts: object) -> None:
    with target.open(name, "w", force_zip64=True) as member:
        for part in parts:  # type: ignore[attr-defined]
            member.write(part)


def _huge_cell_sheet(size: int):  # type: ignore[no-untyped-def]
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    yield (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{ns}"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Title</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>Description</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>Cleaning</t></is></c>'
        '<c r="B2" t="inlineStr"><is><t>'
    ).encode()
    for _ in range(size // len(_CHUNK)):
        yield _CHUNK
    yield b"</t></is></c></row></sheetData></worksheet>"


def _huge_strings(size: int):  # type: ignore[no-untyped-def]
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    yield f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{ns}">'.encode()
    item = b"<si><t>Cleaning services for the hospital estate</t></si>"
    block = item * (len(_CHUNK) // len(item))
    for _ in range(size // len(block)):
        yield block
    yield b"</sst>"


def _measure(path: Path) -> tuple[float, float, str]:
    """Import `path` in a fresh process: seconds, peak MB, the refusal (or the outcome)."""
    code = (
        "import sys; from core.ingest import parse_path, ImportFileError\n"
        "try:\n    parsed = parse_path(__import__('pathlib').Path(sys.argv[1]))\n"
        "    print(f'imported {len(parsed.tenders)} tenders')\n"
        "except ImportFileError as exc:\n    print(exc.reason if hasattr(exc, 'reason') else exc)\n"
    )
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], cwd=ROOT, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, peak_mb, (done.stdout or done.stderr).strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gb", type=float, default=1.0, help="unpacked size of each bomb")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for kind in ("cell", "strings"):
            path = Path(folder) / f"bomb-{kind}.xlsx"
            path.write_bytes(bomb(kind, int(args.gb * (1 << 30))))
            seconds, peak, line = _measure(path)
            print(
                f"{path.name}: {path.stat().st_size / (1 << 20):.1f} MB packed, "
                f"{args.gb:g} GB unpacked → {seconds:.2f} s, peak {peak:,.0f} MB: {line}"
            )


if __name__ == "__main__":
    main()
