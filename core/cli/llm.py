"""`llm test` on the command line: the same probe as Settings → Test connection."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from typing import TYPE_CHECKING

from core.access.roles import CLI_ACTOR, NotAllowed
from core.cli.common import EXIT_ERROR, EXIT_OK, EXIT_UNAVAILABLE, Commands
from core.llm.endpoint import display_url

if TYPE_CHECKING:
    from core.bootstrap import AppContext


def cmd_llm_test(ctx: AppContext, args: argparse.Namespace) -> int:
    from core.views.llm_settings import endpoint_form, models_text, probe_connection

    values = endpoint_form(ctx).values
    base_url = args.base_url or values.base_url
    if not base_url:
        print(
            "No LLM endpoint is configured; set LLM_BASE_URL or name one with --base-url URL.",
            file=sys.stderr,
        )
        return EXIT_ERROR
    try:
        report = probe_connection(ctx, base_url, args.model or values.model, actor=CLI_ACTOR)
    except NotAllowed as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_ERROR
    if args.json:
        data = dataclasses.asdict(report)
        data["base_url"] = display_url(report.base_url)
        data["best_mode"] = report.best_mode
        print(json.dumps(data, indent=2))
    else:
        print(report.message or ("The endpoint answers." if report.ok else "No answer."))
        if report.models:
            print(models_text(report))
        for mode in report.modes:
            print(f"  {mode.mode:<12} {'works' if mode.works else 'no'}  {mode.detail}")
    return EXIT_OK if report.ok else EXIT_UNAVAILABLE


def add_commands(commands: Commands) -> None:
    llm = commands.add_parser("llm", help="the LLM endpoint: test the connection")
    verbs = llm.add_subparsers(dest="verb", required=True, metavar="VERB")
    p = verbs.add_parser(
        "test",
        help="list the models, time a call and find the output modes that work (audited)",
        description="Probe the configured endpoint, or another with --base-url. The configured "
        "key is sent only to the host it was configured for; another host is probed without it.",
    )
    p.add_argument("--base-url", metavar="URL", help="probe this endpoint instead")
    p.add_argument("--model", metavar="NAME", help="the model to try (default: the configured)")
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.set_defaults(handler=cmd_llm_test)
