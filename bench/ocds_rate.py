"""Import rate of one OCDS release package and of a CSV, each of 100,000 tenders, into DuckDB.

Run: .venv/bin/python bench/ocds_rate.py [RELEASES]
Prints, for each file imported into a fresh database in its own process, the size, the import
rate (read + store) and the peak memory (RSS), so the streaming claim can be checked: the
package is read release by release and stored in batches, never held as one document.
"""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.import_rate import write_csv
from core.access.roles import CLI_ACTOR
from core.bootstrap import open_context
from core.imports.service import import_paths
from storage.db import close_database

WORDS = [
    "cloud",
    "hosting",
    "managed",
    "services",
    "data",
    "platform",
    "cyber",
    "security",
    "audit",
    "penetration",
    "testing",
    "software",
    "licences",
    "maintenance",
    "support",
    "framework",
    "regional",
    "digital",
    "transformation",
    "training",
]
BUYERS = ("Crown Commercial Service", "Welsh Government", "Scottish Water", "NHS England")
YEAR = datetime.now(UTC).year  # notices published this year, closing next year
SCHEMES = (("CPV", "72000000"), ("CPV", "72212730"), ("UNSPSC", "81111500"), ("CPV", "48000000"))


def release(number: int, rng: random.Random) -> dict[str, object]:
    scheme, code = rng.choice(SCHEMES)
    buyer = rng.choice(BUYERS)
    return {
        "ocid": f"ocds-b5fd17-{number:08d}",
        "id": f"ocds-b5fd17-{number:08d}-tender-1",
        "date": f"{YEAR}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T09:00:00Z",
        "tag": ["tender"],
        "initiationType": "tender",
        "language": "en",
        "buyer": {"id": f"GB-{buyer[:3]}", "name": buyer},
        "parties": [
            {
                "id": f"GB-{buyer[:3]}",
                "name": buyer,
                "roles": ["buyer"],
                "address": {"countryName": "United Kingdom", "locality": "London"},
            }
        ],
        "tender": {
            "id": f"T-{number}",
            "title": " ".join(rng.choices(WORDS, k=6)).capitalize(),
            "description": " ".join(rng.choices(WORDS, k=60)),
            "status": "active",
            "value": {"amount": rng.randint(10, 9_999) * 1_000, "currency": "GBP"},
            "tenderPeriod": {"endDate": f"{YEAR + 1}-{rng.randint(1, 12):02d}-15T12:00:00Z"},
            "items": [{"id": "1", "classification": {"scheme": scheme, "id": code}}],
            "documents": [
                {
                    "id": "1",
                    "documentType": "tenderNotice",
                    "url": f"https://www.contractsfinder.service.gov.uk/Notice/{number}",
                }
            ],
        },
    }


def write_package(path: Path, releases: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as handle:
        handle.write('{"uri": "https://example.test/package.json", "publishedDate": ')
        handle.write(f'"{datetime.now(UTC):%Y-%m-%d}T00:00:00Z", "version": "1.1", "releases": [\n')
        for number in range(releases):
            if number:
                handle.write(",\n")
            handle.write(json.dumps(release(number, rng), ensure_ascii=False))
        handle.write("\n]}\n")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(label: str, path: Path) -> None:
    """Import one file into a fresh database (in this process) and print the rate."""
    size_mb = path.stat().st_size / 1_000_000
    rss_before = peak_rss_mb()
    ctx = open_context(db_path=path.with_suffix(".duckdb"))
    started = time.perf_counter()
    try:
        (summary,) = import_paths(ctx.tenders, [path], actor=CLI_ACTOR)
    finally:
        close_database(ctx.db.path)
    seconds = time.perf_counter() - started
    print(
        f"{label:<5} {size_mb:6.1f} MB  {summary.new:,} tenders stored in {seconds:5.1f} s  "
        f"= {summary.new / seconds:6,.0f}/s  peak RSS {peak_rss_mb():,.0f} MB "
        f"(before: {rss_before:,.0f} MB)"
    )


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--one":  # a child process measuring one file
        measure(sys.argv[2], Path(sys.argv[3]))
        return
    releases = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        package = folder / "package.json"
        write_package(package, releases)
        table = folder / "tenders.csv"
        write_csv(table, releases)
        # each in its own process, so that peak memory is that file's alone
        for label, path in (("ocds", package), ("csv", table)):
            subprocess.run([sys.executable, __file__, "--one", label, str(path)], check=True)


if __name__ == "__main__":
    main()
