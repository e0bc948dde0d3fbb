"""Tender data commands of the CLI: import, demo, tenders, export."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from core.access.audit import AuditAction
from core.access.roles import CLI_ACTOR
from core.cli.common import EXIT_ERROR, EXIT_FILE_FAILED, EXIT_OK, Commands
from core.cli.documents import cmd_export_matrix
from core.export import ExportError
from core.export.bid_content import is_approved
from core.export.bids import export_bids
from core.export.table import export_table
from core.imports.mapping import MapError, parse_maps, remember, resolver
from core.imports.service import files_in, import_paths, load_demo
from core.ingest.columns import LayoutReport, column_choices
from core.ingest.fields import normalise_header
from core.ingest.tabular import NO_TITLE, SAY_TITLE
from core.models import (
    ImportSummary,
)
from core.profile.setup import choose_example
from core.views.records import tender_record

if TYPE_CHECKING:
    from core.bootstrap import AppContext


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
    try:
        maps = parse_maps(args.map or [])
    except MapError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_ERROR
    failed = False
    for path in (Path(p) for p in args.files):  # a folder's files one by one
        # an empty folder goes in whole, for import_paths to say so
        for file in (files_in(path) if path.is_dir() else []) or [path]:
            with column_choices(resolver(ctx.state, maps)) as choices:
                summaries = import_paths(ctx.tenders, [file], actor=CLI_ACTOR, audit=ctx.audit())
            for summary in summaries:
                if summary.failed and NO_TITLE in summary.failed:  # say how, on this line
                    how = 'name it with --map "Your title column=title"'
                    summary.failed = summary.failed.replace(SAY_TITLE, how)
                _print_summary(summary, sys.stdout if summary.ok else sys.stderr)
                failed = failed or not summary.ok
            _report_columns(ctx, choices.seen, maps)
    return EXIT_FILE_FAILED if failed else EXIT_OK


def _report_columns(ctx: AppContext, seen: list[LayoutReport], maps: dict[str, str]) -> None:
    for layout in seen:
        # --map is remembered for files of this layout, as the Import page remembers it
        names = {normalise_header(c.header) for c in layout.columns}
        remember(ctx.state, layout.layout, {k: v for k, v in maps.items() if k in names})
        if layout.unused:
            print(
                f"  columns not used: {', '.join(layout.unused)} "
                f'(to read one, add --map "{layout.unused[0]}=FIELD")'
            )


def cmd_demo(ctx: AppContext, args: argparse.Namespace) -> int:
    choose_example(ctx.state)
    _print_summary(
        load_demo(ctx.tenders, actor=CLI_ACTOR, audit=ctx.audit(), now=ctx.clock()), sys.stdout
    )
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
    latest = {b.tender_id: b for b in ctx.bids.all_latest()}
    approved = {i: b for i, b in latest.items() if is_approved(b)}
    if args.approved_only:
        states = [s for s in states if s.tender.id in approved]
    if not states:
        what = "approved bids" if args.approved_only else "bid drafts"
        print(f"No {what} yet: nothing was written.", file=sys.stderr)
        return EXIT_OK
    try:
        paths = export_bids(
            states,
            args.format,
            Path(args.out),
            ctx.profile().company_name,
            versions=latest,
            internal=args.internal,
        )
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
        detail=f"{len(paths)} bids written to {args.out}, {drafts} of them drafts"
        + (", with the internal brief" if args.internal else ""),
    )
    note = f" ({drafts} still drafts: approve them on the Bids page)" if drafts else ""
    print(f"{len(paths)} bids written to {args.out}{note}.")
    if args.internal:
        print("Each file ends with the internal brief for the bid team: remove it before sending.")
    return EXIT_OK


def add_commands(commands: Commands) -> None:
    p = commands.add_parser("import", help="import tender files (CSV, XLSX, JSON)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument(
        "--map",
        action="append",
        metavar='"COLUMN=FIELD"',
        help="read a spreadsheet column as this field (value, value_low, deadline, buyer…, or "
        "none); repeatable, and remembered for files with the same columns",
    )
    p.set_defaults(handler=cmd_import)

    commands.add_parser("demo", help="load the built-in demo tenders").set_defaults(
        handler=cmd_demo
    )
    p = commands.add_parser("tenders", help="every tender with its analysis")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=cmd_tenders)

    export = commands.add_parser("export", help="export bids (DOCX, Markdown) or the table")
    kinds = export.add_subparsers(dest="kind", required=True, metavar="WHAT")
    p = kinds.add_parser("bids", help="one document per bid draft")
    p.add_argument("--format", choices=("docx", "md"), default="docx")
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write to")
    p.add_argument(
        "--approved-only", action="store_true", help="only bids approved on the Bids page"
    )
    p.add_argument(
        "--internal",
        action="store_true",
        help="append the bid team's brief (scores, strengths, risks, gaps) to each document",
    )
    p.set_defaults(handler=cmd_export_bids)
    p = kinds.add_parser("matrix", help="a tender's compliance matrix")
    p.add_argument("tender_id", type=int, metavar="ID")
    p.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    p.add_argument("--out", required=True, metavar="FILE")
    p.set_defaults(handler=cmd_export_matrix)
    p = kinds.add_parser("table", help="every tender with its analysis")
    p.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    p.add_argument("--out", required=True, metavar="FILE")
    p.set_defaults(handler=cmd_export_table)
