"""The notice's own document links: documents links ID [--json], documents fetch ID
[--all | LINK…], where a LINK is a URL or its number in `documents links`."""

from __future__ import annotations

import argparse
import json
import sys
from urllib.parse import urlsplit

from core.access.roles import CLI_ACTOR, NotAllowed
from core.bootstrap import AppContext
from core.cli.common import EXIT_ERROR, EXIT_FILE_FAILED, EXIT_OK, Commands
from core.documents.extract import DocumentError
from core.documents.fetch import Unreachable
from core.models import NoticeDocument
from core.views.describe import plural


def cmd_documents_links(ctx: AppContext, args: argparse.Namespace) -> int:
    links = _links(ctx, args.tender_id)
    if links is None:
        return EXIT_ERROR
    if args.json:
        json.dump([link.model_dump(mode="json") for link in links], sys.stdout, indent=2)
        print()
        return EXIT_OK
    if not links:
        print(f"The notice of tender {args.tender_id} gives no document links.")
    for number, link in enumerate(links, start=1):
        kind = f" ({link.kind})" if link.kind else ""
        print(f"{number:>3}  {link.title or urlsplit(link.url).hostname}{kind}  {link.url}")
    return EXIT_OK


def cmd_documents_fetch(ctx: AppContext, args: argparse.Namespace) -> int:
    links = _links(ctx, args.tender_id)
    if links is None:
        return EXIT_ERROR
    if args.all == bool(args.links):
        print(
            "Say which links to fetch: their URLs or numbers from "
            f"`documents links {args.tender_id}`, or --all.",
            file=sys.stderr,
        )
        return EXIT_ERROR
    urls = [link.url for link in links] if args.all else _chosen(links, args.links)
    if urls is None:
        return EXIT_ERROR
    if not urls:
        print(f"The notice of tender {args.tender_id} gives no document links to fetch.")
    service = ctx.documents()
    failed = False
    for number, url in enumerate(urls, start=1):
        try:
            record, new = service.fetch(args.tender_id, url, CLI_ACTOR)
        except (DocumentError, NotAllowed) as exc:
            print(str(exc), file=sys.stderr)
            failed = True
            if isinstance(exc, Unreachable) and number < len(urls):
                left = plural(len(urls) - number, "other link")
                print(f"{left} not tried: fetch them when the network is back.", file=sys.stderr)
                break
            continue
        host = urlsplit(url).hostname
        if new:
            pages = plural(record.pages, "page")
            print(
                f"{record.filename}: fetched from {host} and added as document {record.id} of "
                f"tender {record.tender_id} ({record.kind.upper()}, {pages})."
            )
        else:
            print(
                f"{record.filename}: fetched from {host}, already on tender "
                f"{record.tender_id} as document {record.id}."
            )
    return EXIT_FILE_FAILED if failed else EXIT_OK


def _links(ctx: AppContext, tender_id: int) -> list[NoticeDocument] | None:
    """The tender's document links; None (and one sentence on stderr) when there is no such
    tender."""
    state = ctx.tenders.get(tender_id)
    if state is None:
        print(f"There is no tender {tender_id}: `tenders` lists them.", file=sys.stderr)
        return None
    return list(state.tender.documents)


def _chosen(links: list[NoticeDocument], asked: list[str]) -> list[str] | None:
    """The URLs asked for: a number is the link listed under it, anything else a URL."""
    urls: list[str] = []
    for text in asked:
        if not text.isdigit():
            urls.append(text)
        elif 1 <= int(text) <= len(links):
            urls.append(links[int(text) - 1].url)
        else:
            print(
                f"There is no link {text}: the notice gives {plural(len(links), 'link')}.",
                file=sys.stderr,
            )
            return None
    return urls


def add_link_commands(verbs: Commands) -> None:
    """`documents links` and `documents fetch`, beside `documents add` and `documents list`."""
    p = verbs.add_parser("links", help="the document links the tender's notice gives")
    p.add_argument("tender_id", type=int, metavar="ID")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=cmd_documents_links)
    p = verbs.add_parser("fetch", help="download documents from the notice's links and add them")
    p.add_argument("tender_id", type=int, metavar="ID")
    p.add_argument("links", nargs="*", metavar="LINK", help="a URL, or its number in `links`")
    p.add_argument("--all", action="store_true", help="every link of the notice")
    p.set_defaults(handler=cmd_documents_fetch)
