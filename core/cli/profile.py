"""`profile` commands of the CLI: show the company profile, or set it from a JSON file."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from core.access.roles import CLI_ACTOR
from core.cli.common import EXIT_FILE_FAILED, EXIT_OK, Commands
from core.profile.company import stored_or_default
from core.profile.file import profile_json, profile_text, set_profile
from core.profile.form import ProfileFormError
from core.profile.setup import profile_changed

if TYPE_CHECKING:
    from core.bootstrap import AppContext


def cmd_profile_show(ctx: AppContext, args: argparse.Namespace) -> int:
    version = ctx.state.profile_version()
    if args.json:
        print(json.dumps(profile_json(ctx.state, version), indent=2, ensure_ascii=False))
    else:
        print(profile_text(stored_or_default(ctx.state), version))
    return EXIT_OK


def cmd_profile_set(ctx: AppContext, args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"Cannot read {path.name}: {exc}.", file=sys.stderr)
        return EXIT_FILE_FAILED
    try:
        version, profile = set_profile(
            ctx.state, text, path.name, actor=CLI_ACTOR, audit=ctx.audit()
        )
    except ProfileFormError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_FILE_FAILED
    stale = profile_changed(ctx.state, ctx.tenders, version)
    print(
        f"Profile version {version} is in force: {profile.company_name}, "
        f"{len(profile.capabilities)} capabilities."
    )
    if stale:
        print(
            f"{stale} undecided tender{'s were' if stale != 1 else ' was'} analysed with the "
            "earlier profile: `reanalyse --all` analyses them again (decisions people made "
            "stand)."
        )
    return EXIT_OK


def add_commands(commands: Commands) -> None:
    profile = commands.add_parser("profile", help="the company profile: show, set FILE.json")
    verbs = profile.add_subparsers(dest="verb", required=True, metavar="VERB")
    p = verbs.add_parser("show", help="the profile in force")
    p.add_argument("--json", action="store_true", help="JSON that `profile set` takes back")
    p.set_defaults(handler=cmd_profile_show)
    p = verbs.add_parser("set", help="a new profile version from a JSON file (audited)")
    p.add_argument("file", metavar="FILE.json")
    p.set_defaults(handler=cmd_profile_set)
