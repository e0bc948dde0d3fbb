"""Document text extraction: pages per second for a specification-sized PDF.

The issue's target: a 50-page specification is read in under 10 s on this machine (2 cores).
The PDF is written here, 50 pages of about 40 lines of specification-like text each (the
tests' writer, tests.fakes.pdf_bytes); extraction is pypdf's, as `documents add` runs it.

Run: .venv/bin/python bench/documents.py [--pages 50]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.documents.extract import Limits, extract
from tests.fakes import pdf_bytes

CLAUSE = (
    "{n}.{m} The supplier shall provide the service described in this section, and must "
    "report monthly on the measures agreed with the authority."
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=50)
    args = parser.parse_args()
    pages = [[CLAUSE.format(n=n, m=m) for m in range(1, 41)] for n in range(1, args.pages + 1)]
    data = pdf_bytes(pages)
    started = time.perf_counter()
    text = extract("specification.pdf", data, Limits(max_bytes=len(data) + 1))
    elapsed = time.perf_counter() - started
    assert len(text.pages) == args.pages
    print(
        f"{args.pages} pages ({len(data) / 1024:,.0f} KB, {text.words:,} words) in "
        f"{elapsed:.2f} s: {args.pages / elapsed:,.1f} pages/s (target: 50 pages under 10 s)"
    )


if __name__ == "__main__":
    main()
