"""Document commands of the CLI: documents add ID FILE…, documents list ID [--json]."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core.access.roles import CLI_ACTOR, NotAllowed
from core.bootstrap import AppContext
from core.cli.common import EXIT_ERROR, EXIT_FILE_FAILED, EXIT_OK, Commands
from core.documents.extract import DocumentError


def cmd_documents_add(ctx: AppContext, args: argparse.Namespace) -> int:
    service = ctx.documents()
    failed = False
    for name in args.files:
        path = Path(name)
        try:
            data = path.read_bytes()
        except OSError as exc:
            print(f"{path.name}: cannot be read ({exc.strerror or exc}).", file=sys.stderr)
            failed = True
            continue
        try:
            record, new = service.add(args.tender_id, path.name, data, CLI_ACTOR)
        except (DocumentError, NotAllowed) as exc:
            print(str(exc), file=sys.stderr)
            failed = True
            continue
        pages = f"{record.pages} page{'s' if record.pages != 1 else ''}"
        what = f"{record.kind.upper()}, {pages}, {record.words:,} words"
        if new:
            print(
                f"{record.filename}: added as document {record.id} of tender "
                f"{record.tender_id} ({what})."
            )
        else:
            same = "" if record.filename == path.name else f" ({record.filename})"
            print(
                f"{path.name}: already on tender {record.tender_id} as document {record.id}{same}."
            )
    return EXIT_FILE_FAILED if failed else EXIT_OK


def cmd_documents_list(ctx: AppContext, args: argparse.Namespace) -> int:
    if ctx.tenders.get(args.tender_id) is None:
        print(f"There is no tender {args.tender_id}: `tenders` lists them.", file=sys.stderr)
        return EXIT_ERROR
    records = ctx.documents().documents(args.tender_id)
    if args.json:
        json.dump([r.model_dump(mode="json") for r in records], sys.stdout, indent=2)
        print()
        return EXIT_OK
    if not records:
        print(f"Tender {args.tender_id} has no documents: `documents add {args.tender_id} FILE`.")
    for r in records:
        print(
            f"{r.id:>5}  {r.kind:<5} {r.pages:>4} pages  {r.size_bytes / 1024:>8,.0f} KB  "
            f"{r.filename}"
        )
    return EXIT_OK


def add_commands(commands: Commands) -> None:
    documents = commands.add_parser("documents", help="tender documents: add, list")
    verbs = documents.add_subparsers(dest="verb", required=True, metavar="VERB")
    p = verbs.add_parser("add", help="attach PDF, DOCX, XLSX or text files to a tender")
    p.add_argument("tender_id", type=int, metavar="ID")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(handler=cmd_documents_add)
    p = verbs.add_parser("list", help="a tender's documents")
    p.add_argument("tender_id", type=int, metavar="ID")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=cmd_documents_list)
