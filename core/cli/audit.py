"""`audit` commands of the CLI: list."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from core.access.audit import AuditAction, AuditEvent
from core.access.roles import CLI_ACTOR
from core.cli.common import EXIT_OK, Commands

if TYPE_CHECKING:
    from core.bootstrap import AppContext


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


def add_commands(commands: Commands) -> None:
    audit = commands.add_parser("audit", help="the audit log: who did what, and when")
    verbs = audit.add_subparsers(dest="verb", required=True, metavar="VERB")
    p = verbs.add_parser("list", help="audit events, newest first")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--actor", metavar="NAME", help="only this user (or cli, system)")
    p.add_argument("--action", choices=[a.value for a in AuditAction], help="only this action")
    p.add_argument("--since", type=_day, metavar="YYYY-MM-DD", help="from this day (UTC) on")
    p.add_argument("--limit", type=_positive, default=1000, metavar="N", help="at most N events")
    p.set_defaults(handler=cmd_audit_list)
