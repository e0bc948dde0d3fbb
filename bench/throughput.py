"""LLM throughput benchmark: the real pipeline against the fake server's rate limit.

    .venv/bin/python bench/throughput.py --tenders 200 --rpm 480 --concurrency 16 \
        --latency 0.25,0.75 [--fault-rate 0.0] [--sequential]

Starts the fake OpenAI server with a server-side requests/min token bucket and the given
latency, imports N synthetic tenders into a temporary DuckDB file, and runs them through
`open_context` + `run_until_idle` with LLM_RPM and LLM_MAX_CONCURRENCY set to match.
Prints the achieved calls/min as the server saw them (first to last request), the ratio to
the limit, the 429s and any lost tender (error, pending or processing at the end).
`--sequential` runs one call at a time, for comparison with the seed's one-by-one loop.
Target: ≥ 0.90 of 480 rpm with 16 in flight.

Diagnostics: `--burst N` gives the server bucket N requests of headroom (real APIs allow
bursts; the default 1 rejects any two requests closer than 60/rpm seconds), `--client-rpm`
sets LLM_RPM apart from the server's limit (0: none, so only 429s slow the client), and
`--answers random` lets the fake answer at random (most tenders then stop at the filter).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.synthetic import write_csv  # noqa: E402
from core.access.roles import CLI_ACTOR  # noqa: E402
from core.bootstrap import open_context  # noqa: E402
from core.config import Settings  # noqa: E402
from core.imports.service import import_paths  # noqa: E402
from core.models import RESTING_STATUSES  # noqa: E402
from core.pipeline.worker import run_until_idle  # noqa: E402
from storage.db import close_database  # noqa: E402
from tests.fake_openai import (  # noqa: E402
    ALL_FAULTS,
    FakeConfig,
    FakeOpenAI,
    keen,
)

RATE_LIMITED = ("http_429_limit", "http_429")


def _latency(text: str) -> tuple[float, float]:
    values = [float(v) for v in text.split(",") if v.strip()]
    if len(values) not in (1, 2):
        raise argparse.ArgumentTypeError("latency is LOW,HIGH or a single number of seconds")
    return values[0], values[-1]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenders", type=int, default=200)
    parser.add_argument("--rpm", type=int, default=480, help="the server's limit, and LLM_RPM")
    parser.add_argument("--concurrency", type=int, default=16, help="LLM_MAX_CONCURRENCY")
    parser.add_argument("--latency", type=_latency, default=(0.25, 0.75), help="LOW,HIGH seconds")
    parser.add_argument("--fault-rate", type=float, default=0.0, help="share of faulty answers")
    parser.add_argument("--sequential", action="store_true", help="one call at a time")
    parser.add_argument(
        "--answers",
        choices=("keen", "random"),
        default="keen",
        help="keen: every tender goes through all three steps; random: the fake's own answers",
    )
    parser.add_argument(
        "--client-rpm",
        type=int,
        default=None,
        help="LLM_RPM when it should differ from the server's limit (0: no client limit)",
    )
    parser.add_argument("--burst", type=int, default=1, help="the server bucket's capacity")
    parser.add_argument(
        "--retry-after",
        choices=("ms", "s", "both", "none"),
        default="both",
        help="how the server's 429s say how long to wait",
    )
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if args.rpm < 1 or args.tenders < 1:
        raise SystemExit("--rpm and --tenders must be positive numbers.")
    concurrency = 1 if args.sequential else args.concurrency
    config = FakeConfig(
        latency=args.latency,
        rpm=args.rpm,
        burst=args.burst,
        retry_after_header=args.retry_after,
        fault_rate=args.fault_rate,
        fault_kinds=ALL_FAULTS,
        answerer=keen if args.answers == "keen" else None,
        seed=args.seed,
        max_lifetime_s=3600,
    )
    with tempfile.TemporaryDirectory() as tmp, FakeOpenAI(config) as server:
        workdir = Path(tmp)
        db_path = workdir / "throughput.duckdb"
        settings = Settings(
            llm_base_url=server.base_url,
            llm_model="fake-model",
            llm_rpm=(args.rpm if args.client_rpm is None else args.client_rpm) or None,
            llm_max_concurrency=concurrency,
            llm_timeout_s=30.0,
        )
        ctx = open_context(settings, db_path)
        import_paths(
            ctx.tenders, [write_csv(workdir / "synthetic.csv", args.tenders)], actor=CLI_ACTOR
        )

        started = time.perf_counter()
        report = run_until_idle(
            ctx.tenders, ctx.make_pipeline, batch_size=200, lease_s=600, max_wait_s=120
        )
        seconds = time.perf_counter() - started

        counts = ctx.tenders.counts_by_status()
        resting = {s.value for s in RESTING_STATUSES}
        lost = {s: n for s, n in counts.items() if n and s not in resting}
        endpoint = ctx.analyst_settings().endpoint()
        assert endpoint is not None
        limiter = ctx.llm_client(endpoint).limiter.snapshot()
        close_database(db_path)

    requests = server.requests
    outcomes = Counter(r.outcome for r in requests)
    achieved = server.achieved_rpm()
    answered = server.achieved_rpm(outcomes={"ok", *ALL_FAULTS} - set(RATE_LIMITED))
    rate_limited = sum(outcomes[o] for o in RATE_LIMITED)
    mode = "sequential" if args.sequential else f"{concurrency} in flight"
    print(
        f"{args.tenders} tenders, {len(requests)} calls in {seconds:.1f}s "
        f"({mode}, limit {args.rpm} rpm, latency {args.latency[0]}-{args.latency[1]}s, "
        f"fault rate {args.fault_rate})"
    )
    print(
        f"achieved: {achieved:.0f} calls/min = {achieved / args.rpm:.2f} of the limit "
        f"(server view, first to last request, 429s included); "
        f"answered: {answered:.0f}/min = {answered / args.rpm:.2f}"
    )
    print(
        f"429s: {rate_limited} (server bucket {outcomes['http_429_limit']}, "
        f"injected {outcomes['http_429']}); client limiter slowed {limiter.rate_limited_total} "
        f"times, now at {limiter.effective_rpm or 0:.0f} rpm"
    )
    final = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()) if n)
    put_back = report.claimed - args.tenders
    print(
        f"tenders: {args.tenders} at {args.tenders / seconds * 60:.0f}/min ({final}); "
        f"put back while the endpoint was unavailable: {max(put_back, 0)}; "
        f"lost: {sum(lost.values())} {lost or ''}".rstrip()
    )
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
