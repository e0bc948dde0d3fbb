"""Scale benchmark: 100,000 synthetic tenders through import, rules analysis and the dashboard.

    .venv/bin/python bench/scale.py [--tenders N] [--browser]

Prints rates: import (parse + store) tenders/s, rules analysis tenders/s, the dashboard's
service queries in seconds, and with --browser the time until the Dashboard page has settled
in Debian's chromium (needs /usr/bin/chromium and playwright).
Targets (issue 2): import ≥ 5,000/s, analysis ≥ 1,000/s, dashboard settled ≤ 5 s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.synthetic import write_csv  # noqa: E402
from core.access.roles import CLI_ACTOR  # noqa: E402
from core.bootstrap import open_context  # noqa: E402
from core.imports.service import import_paths  # noqa: E402
from core.pipeline.worker import run_until_idle  # noqa: E402
from core.views.dashboard import DashboardFilters, DashboardService  # noqa: E402
from storage.db import close_database  # noqa: E402


def _timed(label: str, fn):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def dashboard_queries(service: DashboardService) -> float:
    filters = DashboardFilters()
    started = time.perf_counter()
    service.filter_options()
    service.kpis(filters)
    service.score_points(filters)
    service.score_histogram(filters)
    service.funnel(filters)
    service.category_counts(filters)
    service.deadlines_per_week(filters)
    service.table(filters)
    return time.perf_counter() - started


def _load_dashboard(page, url: str) -> float:  # type: ignore[no-untyped-def]
    """Seconds from navigation until the script is done and every chart and the table show."""
    from playwright.sync_api import expect

    started = time.perf_counter()
    page.goto(f"{url}/dashboard")
    expect(page.locator("[data-test-script-state='notRunning']")).to_be_attached(timeout=120_000)
    expect(page.locator(".js-plotly-plot")).to_have_count(5, timeout=120_000)
    expect(page.locator("[data-testid='stDataFrame']").first).to_be_visible(timeout=120_000)
    return time.perf_counter() - started


def browser_settle_seconds(db_path: Path, workdir: Path) -> float:
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, start_app, stop_app

    server, process = start_app(workdir, db_path)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            # a first visit warms Streamlit's caches, as a user's first page view would;
            # then the median of three loads, since a 2-core machine's timings are noisy
            timings = [_load_dashboard(page, server.url) for _ in range(4)][1:]
            settled = sorted(timings)[1]
            browser.close()
    finally:
        stop_app(process)
    return settled


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenders", type=int, default=100_000)
    parser.add_argument(
        "--browser", action="store_true", help="also time the dashboard in chromium"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        csv_path = write_csv(workdir / "synthetic.csv", args.tenders)
        db_path = workdir / "scale.duckdb"
        ctx = open_context(db_path=db_path)

        summaries, seconds = _timed(
            "import", lambda: import_paths(ctx.tenders, [csv_path], actor=CLI_ACTOR)
        )
        stored = summaries[0].new
        print(f"import: {stored:,} tenders in {seconds:.2f}s = {stored / seconds:,.0f} tenders/s")

        report, seconds = _timed(
            "analysis",
            lambda: run_until_idle(ctx.tenders, ctx.make_pipeline, batch_size=2_000, lease_s=600),
        )
        rate = report.claimed / seconds
        outcome = ", ".join(f"{n:,} {s}" for s, n in sorted(report.by_status.items()))
        print(f"rules analysis: {report.claimed:,} tenders in {seconds:.2f}s = {rate:,.0f}/s")
        print(f"  outcome: {outcome}")

        service = DashboardService.from_context(ctx)
        dashboard_queries(service)  # warm-up
        seconds = min(dashboard_queries(service) for _ in range(3))
        print(f"dashboard queries (all charts, KPIs and the table): {seconds:.3f}s")
        close_database(db_path)

        if args.browser:
            settled = browser_settle_seconds(db_path, workdir)
            print(f"dashboard page settled in chromium: {settled:.2f}s (median of 3 warm loads)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
