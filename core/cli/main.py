"""The CLI's entry point: `python -m core.cli COMMAND`. One module per command group adds its
commands; this module opens the context and closes the database around the one that runs."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from core.bootstrap import AppContext, open_context
from core.cli import (
    audit,
    documents,
    learning,
    llm,
    pipeline,
    profile,
    quality,
    review,
    tenders,
    users,
)
from core.cli.common import EXIT_ERROR
from core.logging_setup import configure_logging
from storage.db import StorageError, close_database, storage_failure


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m core.cli", description="Tenderwise: import, analyse and report tenders."
    )
    parser.add_argument("--db", help="DuckDB file (default: DUCKDB_PATH or data/tenderwise.duckdb)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    groups = (tenders, documents, pipeline, review, learning, quality, profile, llm, audit, users)
    for group in groups:
        group.add_commands(commands)
    return parser


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
    except Exception as exc:  # a damaged file fails its first query, wherever that is
        failure = storage_failure(exc, args.db or "in DUCKDB_PATH")
        if failure is None:
            raise
        print(str(failure), file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("Interrupted; finished work is saved and the rest stays queued.", file=sys.stderr)
        return 130
    finally:
        if ctx is not None:
            close_database(ctx.db.path)


if __name__ == "__main__":
    sys.exit(main())
