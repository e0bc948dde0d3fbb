"""Large files on disk are read as streams, never held whole, and report their progress."""

from __future__ import annotations

import csv
import json
import tracemalloc
from pathlib import Path

import pytest

from core.access.roles import CLI_ACTOR
from core.bootstrap import AppContext
from core.imports.service import import_content, import_paths
from core.ingest import Content, parse_path, rows
from core.ingest.rows import streaming_to
from core.models import Tender

RELEASES = 3_000
PADDING = " ".join(["managed cloud hosting and data platform services"] * 40)  # ~2 KB


def write_package(path: Path, count: int = RELEASES) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write('{"uri": "https://example.test/p.json", "publishedDate": "2025-12-01", ')
        handle.write('"version": "1.1", "releases": [\n')
        for number in range(count):
            release = {
                "ocid": f"ocds-test-{number:06d}",
                "id": f"ocds-test-{number:06d}-1",
                "date": "2025-11-01T09:00:00Z",
                "tag": ["tender"],
                "buyer": {"name": f"Council {number % 40}"},
                "tender": {
                    "title": f"Cloud hosting lot {number}",
                    "description": PADDING,
                    "tenderPeriod": {"endDate": "2026-12-15T12:00:00Z"},
                    "items": [{"classification": {"scheme": "CPV", "id": "72000000"}}],
                },
            }
            handle.write(("," if number else "") + json.dumps(release) + "\n")
        handle.write("]}\n")


def write_table(path: Path, count: int = RELEASES) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "buyer", "description", "deadline"])
        for number in range(count):
            writer.writerow([f"Cloud hosting {number}", "Council", PADDING, "2026-12-15"])


def peak_while_parsing(path: Path) -> tuple[int, int]:
    """(tenders read, peak Python memory in bytes) for parse_path with a sink that drops them."""
    seen = 0

    def drop(batch: list[Tender]) -> None:
        nonlocal seen
        seen += len(batch)

    tracemalloc.start()
    try:
        with streaming_to(drop):
            parsed = parse_path(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return seen + len(parsed.tenders), peak


@pytest.mark.parametrize("writer", [write_package, write_table], ids=["ocds", "csv"])
def test_a_file_on_disk_is_read_as_a_stream_not_held_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, writer
) -> None:
    monkeypatch.setattr(rows, "STREAM_BATCH", 50)
    path = tmp_path / ("tenders.json" if writer is write_package else "tenders.csv")
    writer(path)
    size = path.stat().st_size
    assert size > 5_000_000
    count, peak = peak_while_parsing(path)
    assert count == RELEASES
    # Reading the file into memory first would peak above its size; a stream holds one buffer
    # and one batch of 50 tenders (about 0.5 MB).
    assert peak < size / 4, f"peak {peak:,} bytes for a {size:,}-byte file"


def test_progress_is_reported_after_each_batch_until_the_end(
    ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rows, "STREAM_BATCH", 500)
    path = tmp_path / "package.json"
    write_package(path)
    reports: list[tuple[float, int]] = []
    summary = import_content(
        ctx.tenders,
        Content.from_path(path),
        lambda fraction, stored: reports.append((fraction, stored)),
    )
    assert summary.new == RELEASES and summary.failed is None
    assert [stored for _, stored in reports] == list(range(500, RELEASES + 1, 500))
    fractions = [fraction for fraction, _ in reports]
    assert fractions == sorted(fractions), "the bar never moves back"
    assert 0.1 < fractions[0] < 0.3, "the first of six batches is about a sixth of the file"
    assert fractions[-1] > 0.95


def test_a_file_that_goes_away_is_one_sentence_and_stores_nothing(
    ctx: AppContext, tmp_path: Path
) -> None:
    missing = tmp_path / "gone.json"
    (summary,) = import_paths(ctx.tenders, [missing], actor=CLI_ACTOR)
    assert summary.failed == f"{missing} could not be read (No such file or directory); " + (
        "check the path and try again."
    )
    assert ctx.tenders.count() == 0


def test_a_utf8_bom_package_on_disk_is_read(ctx: AppContext, tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    write_package(path, 3)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    (summary,) = import_paths(ctx.tenders, [path], actor=CLI_ACTOR)
    assert (summary.format, summary.new) == ("ocds", 3)
