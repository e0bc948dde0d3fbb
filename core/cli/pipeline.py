"""Pipeline commands of the CLI: run, status, retry, reanalyse, pause, resume."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import TYPE_CHECKING, TextIO

from core.access.roles import CLI_ACTOR
from core.cli.common import EXIT_ERROR, EXIT_OK, EXIT_UNAVAILABLE, Commands
from core.models import TenderStatus
from core.pipeline.stages import BatchReport
from core.pipeline.status import pipeline_status
from core.pipeline.worker import run_until_idle

if TYPE_CHECKING:
    from core.bootstrap import AppContext

LOG_EVERY_S = 2.0  # how often a progress line goes to a log that is not a terminal


class ProgressBar:
    """A one-line progress bar on stderr (a line every few seconds when it is not a terminal)."""

    def __init__(self, total: int, stream: TextIO = sys.stderr, width: int = 30) -> None:
        self.total = max(total, 0)
        self.done = 0
        self.stream = stream
        self.width = width
        self.started = time.perf_counter()
        self.tty = stream.isatty()
        self._printed_at = float("-inf")

    def update(self, report: BatchReport) -> None:
        self.done += report.claimed
        self.total = max(self.total, self.done)
        now = time.perf_counter()
        # A log (not a terminal) gets a line every few seconds, not one per tender.
        if not self.tty and self.done < self.total and now - self._printed_at < LOG_EVERY_S:
            return
        self._printed_at = now
        elapsed = max(now - self.started, 1e-9)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate else 0
        filled = int(self.width * self.done / self.total) if self.total else self.width
        bar = "#" * filled + "." * (self.width - filled)
        text = f"[{bar}] {self.done}/{self.total} tenders  {rate:,.0f}/s  ETA {left:,.0f}s"
        print(("\r" + text) if self.tty else text, end="" if self.tty else "\n", file=self.stream)
        self.stream.flush()

    def close(self) -> None:
        if self.tty:
            print(file=self.stream)


def cmd_run(ctx: AppContext, args: argparse.Namespace) -> int:
    status = pipeline_status(ctx)
    print(f"Analysing {status.waiting} tenders with the {status.analyst} analyst…", file=sys.stderr)
    bar = ProgressBar(status.waiting)
    started = time.perf_counter()
    ctx.controls().set_unavailable(
        None
    )  # left by a run that stopped while waiting; we will find out

    def tell_unavailable(reason: str | None) -> None:
        ctx.controls().set_unavailable(reason)
        text = f"Waiting for the analyst: {reason}" if reason else "The analyst is back; resuming."
        print(("\n" if bar.tty else "") + text, file=sys.stderr)

    total = run_until_idle(
        ctx.tenders,
        ctx.make_pipeline,
        batch_size=ctx.settings.worker_batch_size,
        lease_s=ctx.settings.worker_lease_s,
        on_batch=bar.update,
        on_unavailable=tell_unavailable,
        max_wait_s=args.wait,
    )
    bar.close()
    elapsed = time.perf_counter() - started
    outcome = (
        ", ".join(
            f"{n} {TenderStatus(s).label.lower()}" for s, n in sorted(total.by_status.items())
        )
        or "nothing to do"
    )
    if total.unavailable:
        left = pipeline_status(ctx).waiting
        print(
            f"Stopped after {elapsed:.0f}s: {total.unavailable} "
            f"{left} tenders stay queued; run again when the endpoint is back.",
            file=sys.stderr,
        )
        return EXIT_UNAVAILABLE
    print(f"Done: {total.claimed} tenders in {elapsed:.1f}s ({outcome}).")
    return EXIT_OK


def cmd_status(ctx: AppContext, args: argparse.Namespace) -> int:
    status = pipeline_status(ctx)
    if args.json:
        print(json.dumps(status.contract_json(), indent=2))
        return EXIT_OK
    print(
        f"{status.tenders} tenders · analyst: {status.analyst}"
        + (" · PAUSED" if status.paused else "")
    )
    for name, count in status.by_status.items():
        if count:
            print(f"  {name:<13} {count}")
    print(f"review queue: {status.review_queue} · bids: {status.bids} · errors: {status.errors}")
    return EXIT_OK


def cmd_retry(ctx: AppContext, args: argparse.Namespace) -> int:
    print(
        f"{ctx.controls().retry_errors(actor=CLI_ACTOR)} tenders in error sent back to the queue."
    )
    return EXIT_OK


def cmd_reanalyse(ctx: AppContext, args: argparse.Namespace) -> int:
    if not args.ids and not args.all:
        print("Name the tenders to re-analyse (IDs), or pass --all.", file=sys.stderr)
        return EXIT_ERROR
    queued = ctx.controls().reanalyse(None if args.all else args.ids, actor=CLI_ACTOR)
    print(f"{queued} tenders queued for analysis again; `run` analyses them.")
    return EXIT_OK


def cmd_pause(ctx: AppContext, args: argparse.Namespace) -> int:
    ctx.controls().set_paused(args.command == "pause", actor=CLI_ACTOR)
    print(
        "Background analysis paused." if args.command == "pause" else "Background analysis resumed."
    )
    return EXIT_OK


def add_commands(commands: Commands) -> None:
    p = commands.add_parser("run", help="analyse all pending work in the foreground")
    p.add_argument(
        "--wait",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="how long to wait for an LLM endpoint that stops answering (default 300)",
    )
    p.set_defaults(handler=cmd_run)
    p = commands.add_parser("status", help="counts per status, review queue, bids, analyst")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=cmd_status)
    commands.add_parser("retry", help="send tenders in error back to the queue").set_defaults(
        handler=cmd_retry
    )
    p = commands.add_parser(
        "reanalyse", help="filter and rate tenders again (after a profile change); bids are kept"
    )
    p.add_argument("ids", nargs="*", type=int, metavar="ID")
    p.add_argument("--all", action="store_true", help="every tender")
    p.set_defaults(handler=cmd_reanalyse)
    for name in ("pause", "resume"):
        commands.add_parser(name, help=f"{name} the dashboard's background analysis").set_defaults(
            handler=cmd_pause
        )
