"""`review` commands of the CLI: list, decide, reopen, history."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from core.access.roles import NotAllowed, resolve_actor
from core.cli.common import EXIT_ERROR, EXIT_OK, EXIT_UNAVAILABLE, Commands, yes_no
from core.models import (
    Decision,
    DecisionAction,
    ReviewStage,
    TenderStatus,
)
from core.review.service import DIMENSION_LABELS, Overrides, QueueFilters, ReviewError, format_when

if TYPE_CHECKING:
    from core.bootstrap import AppContext


def _score(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 10:
        raise argparse.ArgumentTypeError("a score is between 0 and 10")
    return value


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
            f"{item.tender_id:>6}  {item.stage.label:<17} analyst: {item.proposal.label:<5} "
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


def add_commands(commands: Commands) -> None:
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
    p.add_argument("--relevant", type=yes_no, metavar="yes|no", help="override relevance")
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
