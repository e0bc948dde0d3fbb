"""Document commands of the CLI: documents add ID FILE…, documents list ID [--json]; the
notice's links (documents links, documents fetch) are in core.cli.document_links."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core.access.audit import AuditAction
from core.access.roles import CLI_ACTOR, NotAllowed
from core.bootstrap import AppContext
from core.cli.common import EXIT_ERROR, EXIT_FILE_FAILED, EXIT_OK, Commands
from core.cli.document_links import add_link_commands
from core.documents.extract import DocumentError
from core.documents.matrix import matrix_bytes
from core.export import ExportError
from core.export.table import write_export
from core.models.documents import RequirementRow
from core.views.describe import plural


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
    exists = ctx.tenders.get(args.tender_id) is not None
    matrix = ctx.matrix()
    new_rows = matrix.sync(args.tender_id) if exists else []
    if matrix.last_refinement is not None and matrix.last_refinement.asked:
        print(matrix.last_refinement.summary())
    if new_rows:
        criteria = sum(r.kind == "evaluation" for r in new_rows)
        print(
            f"{plural(len(new_rows) - criteria, 'requirement')} and "
            f"{criteria:,} evaluation criteri{'on' if criteria == 1 else 'a'} found for the "
            f"compliance matrix: `requirements {args.tender_id}` lists them."
        )
    return EXIT_FILE_FAILED if failed else EXIT_OK


def cmd_documents_list(ctx: AppContext, args: argparse.Namespace) -> int:
    if _no_tender(ctx, args.tender_id):
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


def cmd_requirements(ctx: AppContext, args: argparse.Namespace) -> int:
    if _no_tender(ctx, args.tender_id):
        return EXIT_ERROR
    rows = [r for r in ctx.matrix().rows(args.tender_id) if not r.dropped]
    if args.json:
        json.dump([requirement_json(r) for r in rows], sys.stdout, indent=2, ensure_ascii=False)
        print()
        return EXIT_OK
    if not rows:
        print(
            f"No requirements found for tender {args.tender_id}: add its documents with "
            f"`documents add {args.tender_id} FILE`."
        )
    for r in rows:
        flag = f"{r.weight:g}%" if r.weight is not None else ("must" if r.mandatory else "may")
        page = f"p.{r.page}" if r.page is not None else "added"
        print(f"{r.ref}  {flag:<5} {page:<6} {r.text[:90]}")
    dates = ctx.documents().key_dates(args.tender_id)
    if dates:
        print("Key dates in the documents:")
    for d in dates:
        print(f"  {d.label}: {d.when} ({d.source}, page {d.page})")
    return EXIT_OK


# What `requirements --json` prints of each row of the compliance matrix, in this order.
JSON_FIELDS = (
    "ref", "text", "source", "page", "section", "mandatory", "kind", "weight", "owner",
    "status", "response",
)  # fmt: skip


def requirement_json(row: RequirementRow) -> dict[str, object]:
    return {name: getattr(row, name) for name in JSON_FIELDS}


def _no_tender(ctx: AppContext, tender_id: int) -> bool:
    """True (and one sentence on stderr) when there is no such tender."""
    if ctx.tenders.get(tender_id) is not None:
        return False
    print(f"There is no tender {tender_id}: `tenders` lists them.", file=sys.stderr)
    return True


def cmd_export_matrix(ctx: AppContext, args: argparse.Namespace) -> int:
    if _no_tender(ctx, args.tender_id):
        return EXIT_ERROR
    rows = ctx.matrix().rows(args.tender_id)
    out = Path(args.out)
    try:
        write_export(out, matrix_bytes(rows, args.format), f"matrix.{args.format}")
    except ExportError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_ERROR
    written = sum(not r.dropped for r in rows)  # dropped rows are not exported
    ctx.audit().record_actor(
        CLI_ACTOR,
        AuditAction.EXPORT,
        target=f"tender {args.tender_id}",
        detail=f"compliance matrix ({args.format}), {written} rows, to {out}",
    )
    print(f"{written} rows written to {out}.")
    return EXIT_OK


def add_commands(commands: Commands) -> None:
    documents = commands.add_parser("documents", help="tender documents: add, list, links, fetch")
    verbs = documents.add_subparsers(dest="verb", required=True, metavar="VERB")
    p = verbs.add_parser("add", help="attach PDF, DOCX, XLSX or text files to a tender")
    p.add_argument("tender_id", type=int, metavar="ID")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(handler=cmd_documents_add)
    p = verbs.add_parser("list", help="a tender's documents")
    p.add_argument("tender_id", type=int, metavar="ID")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=cmd_documents_list)
    add_link_commands(verbs)
    p = commands.add_parser(
        "requirements", help="the requirements and evaluation criteria in a tender's documents"
    )
    p.add_argument("tender_id", type=int, metavar="ID")
    p.add_argument("--json", action="store_true", help="one object per row")
    p.set_defaults(handler=cmd_requirements)
