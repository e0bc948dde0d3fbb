"""The cascade: how many notices reach the LLM's relevance step, and how many relevant ones the
offline rules drop without the LLM seeing them, against sending everything.

Real notices, labelled by their own CPV codes (relevant: IT services 72 or software 48), with
those codes present, the default profile. No LLM is called: the LLM analyst's own cascade
decision (`LLMAnalyst.settled`) says which notices it would send.

Run: .venv/bin/python bench/cascade.py [--level 0.9] [FILE_OR_FOLDER …]
     (default: the real notices in ../shared/data)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.analysts.llm import LLMAnalyst
from core.analysts.settings import DEFAULT_CASCADE_LEVEL
from core.ingest import parse_path
from core.ingest.errors import ImportFileError
from core.llm.endpoint import Endpoint
from core.models import Tender
from core.profile.company import default_profile

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
DEFAULT_SOURCES = [SHARED / "ocds", SHARED / "ted-r209", SHARED / "eforms"]
IT_WORK = ("72", "48")


class _NoCalls:
    """Stands in for the LLM client: the cascade's decision needs no call."""

    endpoint = Endpoint(base_url="http://llm.invalid/v1", model="any")


def labelled(sources: list[Path]) -> list[tuple[Tender, bool]]:
    seen: set[str] = set()
    found = []
    for source in sources:
        files = sorted(p for p in source.rglob("*") if p.is_file()) if source.is_dir() else [source]
        for path in files:
            try:
                parsed = parse_path(path)
            except (ImportFileError, ValueError):
                continue
            for tender in parsed.tenders:
                codes = [*tender.cpv_codes, *(c for lot in tender.lots for c in lot.cpv_codes)]
                key = tender.source_id or tender.title
                if codes and key not in seen:
                    seen.add(key)
                    found.append((tender, any(c.startswith(IT_WORK) for c in codes)))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", nargs="*", type=Path)
    parser.add_argument("--level", type=float, default=DEFAULT_CASCADE_LEVEL)
    args = parser.parse_args()
    notices = labelled(args.sources or DEFAULT_SOURCES)
    if not notices:
        sys.exit("No labelled notices found; name files or folders of notices with CPV codes.")
    profile = default_profile()
    analyst = LLMAnalyst(_NoCalls(), prefilter=True, cascade_level=args.level)  # type: ignore[arg-type]
    analyst.prepare([t for t, _ in notices], profile)
    asked = lost = kept = relevant = 0
    for tender, is_relevant in notices:
        relevant += is_relevant
        if not tender.notice_type.biddable:  # never sent to an LLM: the offline screen
            verdict = analyst.screen(tender, profile)
        else:
            verdict = analyst.settled(tender, profile)
            if verdict is None:
                asked += 1
                kept += is_relevant  # the LLM sees it
                continue
        kept += is_relevant and verdict.is_relevant
        lost += is_relevant and not verdict.is_relevant
    n = len(notices)
    print(f"{n} notices, {relevant} relevant; cascade level {args.level:.2f}")
    print(f"LLM relevance calls per notice: {asked / n:.2f} (sending everything: 1.00)")
    print(f"share that never reaches the LLM: {1 - asked / n:.1%}")
    print(
        f"relevant notices kept (the LLM sees them, or the rules call them relevant): "
        f"{kept} of {relevant}; lost without the LLM seeing them: {lost}"
    )


if __name__ == "__main__":
    main()
