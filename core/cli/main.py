"""Command line: `python -m core.cli [--db PATH] COMMAND`. See the README for the contract."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from core.access.audit import AuditAction, AuditEvent
from core.access.roles import CLI_ACTOR, NotAllowed, resolve_actor
from core.bootstrap import AppContext, open_context
from core.cli.users import add_users_commands
from core.export import ExportError
from core.export.bids import export_bids
from core.export.table import export_table
from core.imports.service import import_paths, load_demo
from core.logging_setup import configure_logging
from core.models import (
    BidStatus,
    Decision,
    DecisionAction,
    ImportSummary,
    ReviewStage,
    TenderStatus,
)
from core.pipeline.stages import BatchReport
from core.pipeline.status import pipeline_status
from core.pipeline.worker import run_until_idle
from core.review.service import (
    DIMENSION_LABELS,
    Overrides,
    QueueFilters,
    ReviewError,
    format_when,
)
from core.views.records import tender_record
from storage.db import StorageError, close_database

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_FILE_FAILED = 2
EXIT_UNAVAILABLE = 3
LOG_EVERY_S = 2.0


def _print_summary(summary: ImportSummary, out: TextIO) -> None:
    if summary.failed:
        print(f"{summary.filename}: refused — {summary.failed}", file=out)
        return
    print(f"{summary.filename} ({summary.format}): {summary.counts_text()}", file=out)
    for error in summary.errors[:50]:
        where = f"row {error.row}" if error.row else "file"
        print(f"  {where}: {error.message}", file=out)
    if len(summary.errors) > 50:
        print(f"  … and {len(summary.errors) - 50} more", file=out)


def cmd_import(ctx: AppContext, args: argparse.Namespace) -> int:
    paths = [Path(p) for p in args.files]
    summaries = import_paths(ctx.tenders, paths, actor=CLI_ACTOR, audit=ctx.audit())
    for summary in summaries:
        _print_summary(summary, sys.stdout if summary.ok else sys.stderr)
    return EXIT_FILE_FAILED if any(not s.ok for s in summaries) else EXIT_OK


def cmd_demo(ctx: AppContext, args: argparse.Namespace) -> int:
    _print_summary(
        load_demo(ctx.tenders, actor=CLI_ACTOR, audit=ctx.audit(), now=ctx.clock()), sys.stdout
    )
    return EXIT_OK


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
    ctx.set_unavailable(None)  # left by a run that stopped while waiting; we will find out

    def tell_unavailable(reason: str | None) -> None:
        ctx.set_unavailable(reason)
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
    outcome = ", ".join(f"{n} {s}" for s, n in sorted(total.by_status.items())) or "nothing to do"
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


def cmd_tenders(ctx: AppContext, args: argparse.Namespace) -> int:
    records = [tender_record(s) for s in ctx.tenders.all_states()]
    if args.json:
        json.dump(records, sys.stdout, indent=2, ensure_ascii=False, default=str)
        print()
        return EXIT_OK
    for r in records:
        score = f"{r['overall_score']:.1f}" if r.get("overall_score") is not None else "  – "
        print(f"{r['id']:>6}  {r['status']:<13} {score:>4}  {r['title'][:70]}")
    return EXIT_OK


def cmd_retry(ctx: AppContext, args: argparse.Namespace) -> int:
    print(f"{ctx.retry_errors(actor=CLI_ACTOR)} tenders in error sent back to the queue.")
    return EXIT_OK


def cmd_reanalyse(ctx: AppContext, args: argparse.Namespace) -> int:
    if not args.ids and not args.all:
        print("Name the tenders to re-analyse (IDs), or pass --all.", file=sys.stderr)
        return EXIT_ERROR
    queued = ctx.reanalyse(None if args.all else args.ids, actor=CLI_ACTOR)
    print(f"{queued} tenders queued for analysis again; `run` analyses them.")
    return EXIT_OK


def cmd_export_table(ctx: AppContext, args: argparse.Namespace) -> int:
    try:
        written = export_table(ctx.tenders.all_states(), args.format, Path(args.out))
    except ExportError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_ERROR
    ctx.audit().record_actor(
        CLI_ACTOR,
        AuditAction.EXPORT,
        target=f"tender table ({args.format})",
        detail=f"{written} tenders written to {args.out}",
    )
    print(f"{written} tenders written to {args.out}.")
    return EXIT_OK


def cmd_export_bids(ctx: AppContext, args: argparse.Namespace) -> int:
    states = [s for s in ctx.tenders.all_states() if s.bid is not None]
    approved = {
        b.tender_id: b for b in ctx.bids.all_latest([BidStatus.APPROVED, BidStatus.EXPORTED])
    }
    if args.approved_only:
        states = [s for s in states if s.tender.id in approved]
    if not states:
        what = "approved bids" if args.approved_only else "bid drafts"
        print(f"No {what} yet: nothing was written.", file=sys.stderr)
        return EXIT_OK
    try:
        paths = export_bids(states, args.format, Path(args.out), ctx.profile().company_name)
    except ExportError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_ERROR
    exported = [(i, approved[i].version) for i in (s.tender.id for s in states) if i in approved]
    ctx.bids.mark_exported(exported, ctx.clock())
    drafts = len(paths) - len(exported)
    ctx.audit().record_actor(
        CLI_ACTOR,
        AuditAction.EXPORT,
        target=f"bids ({args.format})",
        detail=f"{len(paths)} bids written to {args.out}, {drafts} of them drafts",
    )
    note = f" ({drafts} still drafts: approve them on the Bids page)" if drafts else ""
    print(f"{len(paths)} bids written to {args.out}{note}.")
    return EXIT_OK


# ---------------------------------------------------------------------------- review
def _decision_line(d: Decision) -> str:
    line = (
        f"{format_when(d.decided_at)}  {d.action.label:<7} by {d.decided_by} ({d.role.label}): "
        f"{d.status_before.value} → {d.status_after.value}"
    )
    if d.reason:
        line += f" — {d.reason}"
    for name, change in d.overrides.items():
        line += f"\n    {DIMENSION_LABELS.get(name, name)}: {change['ai']} → {change['reviewer']}"
    return line


def cmd_review_list(ctx: AppContext, args: argparse.Namespace) -> int:
    stages = [ReviewStage(s) for s in args.stage or []]
    items = ctx.review().queue(QueueFilters(stages=stages))
    if args.json:
        print(json.dumps([item.to_json() for item in items], indent=2, ensure_ascii=False))
        return EXIT_OK
    if not items:
        print("Nothing waits for review.")
        return EXIT_OK
    for item in items:
        data = item.to_json()
        deadline = (data["deadline"] or "no deadline")[:10]
        print(
            f"{item.tender_id:>6}  {item.stage.label:<17} AI: {item.proposal.label:<5} "
            f"{deadline}  {item.state.tender.title[:60]}"
        )
    print(f"{len(items)} waiting. Decide with: review decide ID --accept|--go|--no-go --by USER")
    return EXIT_OK


def cmd_review_decide(ctx: AppContext, args: argparse.Namespace) -> int:
    action = DecisionAction(args.action)
    overrides = Overrides(
        is_relevant=args.relevant,
        overall_score=args.overall,
        strategic_fit=args.fit,
        win_probability=args.win,
        effort_required=args.effort,
    )
    try:
        actor = resolve_actor(args.by, ctx.accounts().directory())
        decision = ctx.review().decide(args.id, action, actor, args.reason or "", overrides)
    except (ReviewError, NotAllowed) as exc:
        hint = " Add --reason TEXT." if "needs a reason" in str(exc) else ""
        print(f"{exc}{hint}", file=sys.stderr)
        return EXIT_ERROR
    print(f"Tender {args.id}: {_decision_line(decision)}")
    if decision.status_after is TenderStatus.APPROVED:
        return _write_bid_now(ctx, args.id)
    return EXIT_OK


def _write_bid_now(ctx: AppContext, tender_id: int) -> int:
    """After a go, write the bid in the foreground (the dashboard's worker does it there)."""
    claims = ctx.tenders.claim(1, ctx.settings.worker_lease_s, only_ids=[tender_id])
    if not claims:
        return EXIT_OK
    print("Writing the bid…", file=sys.stderr)
    outcome = ctx.make_pipeline().process(claims)[0]
    if outcome.status is TenderStatus.COMPLETE:
        print(f"Tender {tender_id} is complete: its bid draft is ready (Bids page, export bids).")
        return EXIT_OK
    reason = outcome.unavailable or outcome.error or "the analyst did not finish"
    print(
        f"Tender {tender_id} stays approved: {reason} `run` writes its bid later.",
        file=sys.stderr,
    )
    return EXIT_UNAVAILABLE if outcome.unavailable else EXIT_ERROR


def cmd_review_reopen(ctx: AppContext, args: argparse.Namespace) -> int:
    try:
        decision = ctx.review().reopen(
            args.id, resolve_actor(args.by, ctx.accounts().directory()), args.reason or ""
        )
    except (ReviewError, NotAllowed) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_ERROR
    print(f"Tender {args.id}: {_decision_line(decision)}")
    return EXIT_OK


def cmd_review_history(ctx: AppContext, args: argparse.Namespace) -> int:
    if ctx.tenders.get(args.id) is None:
        print(f"There is no tender {args.id}; `tenders` lists them.", file=sys.stderr)
        return EXIT_ERROR
    history = ctx.review().history(args.id)
    if args.json:
        print(json.dumps([d.model_dump(mode="json") for d in history], indent=2))
        return EXIT_OK
    if not history:
        print(f"No decisions on tender {args.id} yet.")
    for decision in history:
        print(_decision_line(decision))
    return EXIT_OK


def cmd_pause(ctx: AppContext, args: argparse.Namespace) -> int:
    ctx.set_paused(args.command == "pause", actor=CLI_ACTOR)
    print(
        "Background analysis paused." if args.command == "pause" else "Background analysis resumed."
    )
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m core.cli", description="Tenderwise: import, analyse and report tenders."
    )
    parser.add_argument("--db", help="DuckDB file (default: DUCKDB_PATH or data/tenderwise.duckdb)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser("import", help="import tender files (CSV, XLSX, JSON)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(handler=cmd_import)

    commands.add_parser("demo", help="load the built-in demo tenders").set_defaults(
        handler=cmd_demo
    )
    p = commands.add_parser("run", help="analyse all pending work in the foreground")
    p.add_argument(
        "--wait",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="how long to wait for an LLM endpoint that stops answering (default 300)",
    )
    p.set_defaults(handler=cmd_run)
    for name, handler, text in (
        ("status", cmd_status, "counts per status, review queue, bids, analyst"),
        ("tenders", cmd_tenders, "every tender with its analysis"),
    ):
        p = commands.add_parser(name, help=text)
        p.add_argument("--json", action="store_true", help="machine-readable output")
        p.set_defaults(handler=handler)
    commands.add_parser("retry", help="send tenders in error back to the queue").set_defaults(
        handler=cmd_retry
    )
    p = commands.add_parser(
        "reanalyse", help="filter and rate tenders again (after a profile change); bids are kept"
    )
    p.add_argument("ids", nargs="*", type=int, metavar="ID")
    p.add_argument("--all", action="store_true", help="every tender")
    p.set_defaults(handler=cmd_reanalyse)
    export = commands.add_parser("export", help="export bids (DOCX, Markdown) or the table")
    kinds = export.add_subparsers(dest="kind", required=True, metavar="WHAT")
    p = kinds.add_parser("bids", help="one document per bid draft")
    p.add_argument("--format", choices=("docx", "md"), default="docx")
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write to")
    p.add_argument(
        "--approved-only", action="store_true", help="only bids approved on the Bids page"
    )
    p.set_defaults(handler=cmd_export_bids)
    p = kinds.add_parser("table", help="every tender with its analysis")
    p.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    p.add_argument("--out", required=True, metavar="FILE")
    p.set_defaults(handler=cmd_export_table)
    _add_review_commands(commands)
    _add_audit_commands(commands)
    add_users_commands(commands)
    for name in ("pause", "resume"):
        commands.add_parser(name, help=f"{name} the dashboard's background analysis").set_defaults(
            handler=cmd_pause
        )
    return parser


def _score(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 10:
        raise argparse.ArgumentTypeError("a score is between 0 and 10")
    return value


def _yes_no(text: str) -> bool:
    if text.lower() in ("yes", "true", "1"):
        return True
    if text.lower() in ("no", "false", "0"):
        return False
    raise argparse.ArgumentTypeError("say yes or no")


def _add_review_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    review = commands.add_parser("review", help="the review queue: list, decide, reopen, history")
    verbs = review.add_subparsers(dest="verb", required=True, metavar="VERB")
    p = verbs.add_parser("list", help="tenders waiting for a decision, soonest deadline first")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--stage", action="append", choices=[s.value for s in ReviewStage])
    p.set_defaults(handler=cmd_review_list)

    p = verbs.add_parser("decide", help="accept the analyst's proposal, or override it")
    p.add_argument("id", type=int, metavar="ID")
    action = p.add_mutually_exclusive_group(required=True)
    for flag, value, text in (
        ("--accept", "accept", "take the analyst's proposal"),
        ("--go", "go", "override: write a bid (needs --reason)"),
        ("--no-go", "no_go", "override: do not bid (needs --reason)"),
    ):
        action.add_argument(flag, dest="action", action="store_const", const=value, help=text)
    p.add_argument("--by", required=True, metavar="USER", help="who decides")
    p.add_argument("--reason", metavar="TEXT", help="why (required for --go and --no-go)")
    p.add_argument("--relevant", type=_yes_no, metavar="yes|no", help="override relevance")
    for flag, dest, text in (
        ("--overall", "overall", "overall score"),
        ("--fit", "fit", "strategic fit"),
        ("--win", "win", "win probability"),
        ("--effort", "effort", "effort required"),
    ):
        p.add_argument(flag, dest=dest, type=_score, metavar="0-10", help=f"override the {text}")
    p.set_defaults(handler=cmd_review_decide)

    p = verbs.add_parser("reopen", help="put a decided tender back in the queue")
    p.add_argument("id", type=int, metavar="ID")
    p.add_argument("--by", required=True, metavar="USER")
    p.add_argument("--reason", metavar="TEXT", help="why it deserves a new look (required)")
    p.set_defaults(handler=cmd_review_reopen)

    p = verbs.add_parser("history", help="every decision on a tender, oldest first")
    p.add_argument("id", type=int, metavar="ID")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=cmd_review_history)


# ----------------------------------------------------------------------------- audit
def _day(text: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError as exc:
        raise argparse.ArgumentTypeError("give a date as YYYY-MM-DD") from exc


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("give a number of at least 1")
    return value


def _audit_line(event: AuditEvent) -> str:
    role = f" ({event.role.label})" if event.role else ""
    line = f"{event.at.astimezone(UTC):%Y-%m-%d %H:%M:%S}  {event.actor}{role}  {event.action}"
    if event.target:
        line += f"  {event.target}"
    if event.detail:
        line += f" — {event.detail}"
    return line + ("  [REFUSED]" if event.outcome == "refused" else "")


def cmd_audit_list(ctx: AppContext, args: argparse.Namespace) -> int:
    events = ctx.audit().events(
        CLI_ACTOR,
        actor=args.actor,
        action=AuditAction(args.action) if args.action else None,
        since=args.since,
        limit=args.limit,
    )
    if args.json:
        print(json.dumps([e.model_dump(mode="json") for e in events], indent=2, ensure_ascii=False))
        return EXIT_OK
    if not events:
        print("No audit events match.")
        return EXIT_OK
    for event in events:
        print(_audit_line(event))
    print(f"{len(events)} events, newest first.")
    return EXIT_OK


def _add_audit_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = commands.add_parser("audit", help="the audit log: who did what, and when")
    verbs = audit.add_subparsers(dest="verb", required=True, metavar="VERB")
    p = verbs.add_parser("list", help="audit events, newest first")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--actor", metavar="NAME", help="only this user (or cli, system)")
    p.add_argument("--action", choices=[a.value for a in AuditAction], help="only this action")
    p.add_argument("--since", type=_day, metavar="YYYY-MM-DD", help="from this day (UTC) on")
    p.add_argument("--limit", type=_positive, default=1000, metavar="N", help="at most N events")
    p.set_defaults(handler=cmd_audit_list)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging()
    handler: Callable[[AppContext, argparse.Namespace], int] = args.handler
    ctx: AppContext | None = None
    try:
        ctx = open_context(db_path=args.db)
        return handler(ctx, args)
    except StorageError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("Interrupted; finished work is saved and the rest stays queued.", file=sys.stderr)
        return 130
    finally:
        if ctx is not None:
            close_database(ctx.db.path)


if __name__ == "__main__":
    sys.exit(main())
