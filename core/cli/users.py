"""`users` commands of the CLI: add, list, disable, enable, role, password.

Whoever runs the CLI on the server can open the database file, so the terminal acts as an
admin (CLI_ACTOR); every change is still checked by the account service and audited as "cli".
Passwords are read from standard input only (`--password-stdin`), never from the command line.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from core.access.errors import AccountError
from core.access.roles import CLI_ACTOR, NotAllowed
from core.cli.common import EXIT_ERROR, EXIT_OK, Commands
from core.models import Account, Role

if TYPE_CHECKING:
    from core.bootstrap import AppContext


def add_commands(commands: Commands) -> None:
    users = commands.add_parser(
        "users", help="accounts: add, list, disable, enable, role, password"
    )
    verbs = users.add_subparsers(dest="verb", required=True, metavar="VERB")
    roles = [role.value for role in Role]

    p = verbs.add_parser("add", help="add an account (the password is read from stdin)")
    p.add_argument("name", metavar="NAME", help="username: lower-case letters, digits, . _ @ -")
    p.add_argument("--role", required=True, choices=roles)
    p.add_argument(
        "--password-stdin",
        action="store_true",
        required=True,
        help="read the password (12 characters or more) from standard input",
    )
    p.add_argument("--display-name", metavar="TEXT", default="", help="shown in the app")
    p.add_argument("--email", metavar="EMAIL", help="for single sign-on")
    p.set_defaults(handler=cmd_users_add)

    p = verbs.add_parser("list", help="every account with its role and state")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=cmd_users_list)

    for verb, text, handler in (
        ("disable", "stop an account signing in and end its sessions", cmd_users_disable),
        ("enable", "let a disabled account sign in again", cmd_users_enable),
    ):
        p = verbs.add_parser(verb, help=text)
        p.add_argument("name", metavar="NAME")
        p.set_defaults(handler=handler)

    p = verbs.add_parser("role", help="change an account's role")
    p.add_argument("name", metavar="NAME")
    p.add_argument("role", choices=roles)
    p.set_defaults(handler=cmd_users_role)

    p = verbs.add_parser("locks", help="usernames waiting after too many failed sign-ins")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=cmd_users_locks)

    p = verbs.add_parser("unlock", help="let a locked-out username sign in again at once")
    p.add_argument("name", metavar="NAME")
    p.set_defaults(handler=cmd_users_unlock)

    p = verbs.add_parser("password", help="set an account's password (read from stdin)")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--password-stdin", action="store_true", required=True)
    p.set_defaults(handler=cmd_users_password)


def _password_from(stream: TextIO) -> str:
    """The first line of stdin without its line ending (`echo pass | …` and here-strings)."""
    return stream.readline().rstrip("\r\n")


def cmd_users_add(ctx: AppContext, args: argparse.Namespace) -> int:
    password = _password_from(sys.stdin)
    return _change(
        lambda: ctx.accounts().add(
            CLI_ACTOR, args.name, args.display_name, Role(args.role), password, args.email
        ),
        lambda account: (
            f"Added {account.username} ({account.display_name}) as {account.role.label}."
        ),
    )


def cmd_users_list(ctx: AppContext, args: argparse.Namespace) -> int:
    accounts = ctx.accounts().accounts(CLI_ACTOR)
    if args.json:
        print(json.dumps([_account_json(a) for a in accounts], indent=2))
        return EXIT_OK
    if not accounts:
        print("No users yet. Add the first admin: users add NAME --role admin --password-stdin")
        return EXIT_OK
    for account in accounts:
        state = "enabled" if account.enabled else f"disabled {account.disabled_at:%Y-%m-%d}"
        print(f"{account.username:<20} {account.role.label:<12} {state:<20} {account.display_name}")
    return EXIT_OK


def cmd_users_disable(ctx: AppContext, args: argparse.Namespace) -> int:
    return _change(
        lambda: ctx.accounts().disable(CLI_ACTOR, args.name),
        "{name} is disabled; their sessions were ended.",
    )


def cmd_users_enable(ctx: AppContext, args: argparse.Namespace) -> int:
    return _change(lambda: ctx.accounts().enable(CLI_ACTOR, args.name), "{name} is enabled.")


def cmd_users_locks(ctx: AppContext, args: argparse.Namespace) -> int:
    locks = ctx.accounts().locks(CLI_ACTOR)
    if args.json:
        rows = [
            {
                "username": lock.username,
                "source": lock.source,
                "failures": lock.failures,
                "until": lock.until.isoformat(),
            }
            for lock in locks
        ]
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    for lock in locks:
        print(
            f"{lock.username}  from {lock.source or 'an unknown address'}  {lock.failures} "
            f"failures  until {lock.until:%Y-%m-%d %H:%M} UTC"
        )
    print(f"{len(locks)} locked. Clear one with: users unlock NAME")
    return EXIT_OK


def cmd_users_unlock(ctx: AppContext, args: argparse.Namespace) -> int:
    ctx.accounts().clear_lock(CLI_ACTOR, args.name)
    print(f"{args.name.strip().lower()} can sign in again at once.")
    return EXIT_OK


def cmd_users_role(ctx: AppContext, args: argparse.Namespace) -> int:
    role = Role(args.role)
    return _change(
        lambda: ctx.accounts().set_role(CLI_ACTOR, args.name, role),
        f"{{name}} is now {role.label}.",
    )


def cmd_users_password(ctx: AppContext, args: argparse.Namespace) -> int:
    password = _password_from(sys.stdin)
    return _change(
        lambda: ctx.accounts().reset_password(CLI_ACTOR, args.name, password),
        "{name} has a new password; their sessions were ended.",
    )


def _change(change: Callable[[], Account], done: str | Callable[[Account], str]) -> int:
    """Run one account change; print `done` (text with {name}, or made from the account) or
    the one-sentence refusal."""
    try:
        account = change()
    except (AccountError, NotAllowed) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_ERROR
    print(done(account) if callable(done) else done.format(name=account.username))
    return EXIT_OK


def _account_json(account: Account) -> dict[str, object]:
    return {
        "username": account.username,
        "display_name": account.display_name,
        "role": account.role.value,
        "email": account.email,
        "enabled": account.enabled,
        "created_at": account.created_at.isoformat(),
        "created_by": account.created_by,
        "disabled_at": account.disabled_at.isoformat() if account.disabled_at else None,
    }
