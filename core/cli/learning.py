"""Learning commands of the CLI: feedback on a tender's relevance, and training the team model."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from core.access.roles import CLI_ACTOR, NotAllowed, resolve_actor
from core.cli.common import EXIT_ERROR, EXIT_OK, Commands, yes_no
from core.models import TeamModelRecord
from core.quality.summary import TARGET_PRECISION, QualitySummary
from core.quality.team import NotEnoughLabels
from core.review.service import ReviewError

if TYPE_CHECKING:
    from core.bootstrap import AppContext


def cmd_feedback(ctx: AppContext, args: argparse.Namespace) -> int:
    try:
        actor = resolve_actor(args.by, ctx.accounts().directory())
        given = ctx.feedback().give(args.id, args.relevant, actor, args.reason or "")
    except (ReviewError, NotAllowed) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_ERROR
    print(given.sentence())
    return EXIT_OK


def cmd_learn(ctx: AppContext, args: argparse.Namespace) -> int:
    try:
        record = ctx.learner().learn(CLI_ACTOR)
    except (NotEnoughLabels, NotAllowed) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_ERROR
    if args.json:
        print(json.dumps(model_json(record), indent=2))
    else:
        print(model_text(record))
    return EXIT_OK


def cmd_quality(ctx: AppContext, args: argparse.Namespace) -> int:
    service = ctx.quality()
    if args.apply:
        try:
            level = service.apply_suggestion(CLI_ACTOR, args.target)
        except (ValueError, NotAllowed) as exc:
            print(str(exc), file=sys.stderr)
            return EXIT_ERROR
        print(f"The auto-accept level is now {level:.0%} (a new profile version, audited).")
        return EXIT_OK
    summary = service.summary(args.target)
    if args.json:
        print(json.dumps(summary.to_json(), indent=2))
    else:
        print(quality_text(summary))
    return EXIT_OK


def quality_text(summary: QualitySummary) -> str:
    agreement = (
        f"{summary.agreement:.1%} of {summary.compared} agree with the analyst"
        if summary.agreement is not None
        else "none to compare with the analyst yet"
    )
    lines = [
        f"Labels: {summary.labels} ({summary.relevant} relevant, "
        f"{summary.labels - summary.relevant} not); {agreement}.",
        "Overrides by people: "
        + ", ".join(f"{name.lower()} {count}" for name, count in summary.overrides.items())
        + ".",
        summary.model_state,
        f"Suggested auto-accept level (target precision {summary.target:.0%}): "
        + summary.suggestion_note,
    ]
    if summary.suggestion is not None:
        lines.append("Apply it with: quality --apply")
    return "\n".join(lines)


def _share(text: str) -> float:
    value = float(text)
    if not 0.5 <= value < 1:
        raise argparse.ArgumentTypeError("a target precision is between 0.5 and 1, e.g. 0.95")
    return value


def model_json(record: TeamModelRecord) -> dict[str, object]:
    return {
        "id": record.id,
        "labels": record.labels,
        "relevant_labels": record.relevant_labels,
        "base_f1": record.base_f1,
        "learned_f1": record.learned_f1,
        "in_use": record.in_use,
        "trained_at": record.trained_at.isoformat(),
        "trained_by": record.trained_by,
    }


def model_text(record: TeamModelRecord) -> str:
    verdict = (
        "It is in use from now on: `reanalyse --all` re-scores undecided tenders with it."
        if record.in_use
        else "It does not beat the rules alone, so it is not used; give feedback on more tenders."
    )
    return (
        f"Team model {record.id}: {record.labels} labels ({record.relevant_labels} relevant, "
        f"{record.labels - record.relevant_labels} not). Cross-validated F1 on them: "
        f"{record.learned_f1:.3f} learned, {record.base_f1:.3f} for the rules alone. {verdict}"
    )


def add_commands(commands: Commands) -> None:
    p = commands.add_parser(
        "feedback",
        help="say whether a tender is relevant (any status; a label the team model learns from)",
        description="Record a person's word on a tender's relevance in the decision log. A "
        "tender nobody has decided yet is re-routed at once; a decided one keeps its decision.",
    )
    p.add_argument("id", type=int, metavar="ID")
    p.add_argument("--relevant", required=True, type=yes_no, metavar="yes|no")
    p.add_argument("--by", required=True, metavar="USER", help="who says so")
    p.add_argument("--reason", metavar="TEXT", help="why (optional)")
    p.set_defaults(handler=cmd_feedback)

    p = commands.add_parser(
        "learn",
        help="train the team model on the team's labels",
        description="Train the team model on every label so far and print the labels used "
        "and the cross-validated F1 of the rules alone and of the learned model. It is used "
        "only while it beats the rules.",
    )
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.set_defaults(handler=cmd_learn)

    p = commands.add_parser(
        "quality",
        help="what people and the analyst agree on, and a suggested auto-accept level",
    )
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.add_argument(
        "--target",
        type=_share,
        default=TARGET_PRECISION,
        metavar="0.95",
        help="precision the auto-accept level must reach",
    )
    p.add_argument("--apply", action="store_true", help="make the suggested level the policy")
    p.set_defaults(handler=cmd_quality)
