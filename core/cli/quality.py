"""Quality commands of the CLI: evaluate the analyst on labelled notices."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from core.access.roles import CLI_ACTOR
from core.cli.common import EXIT_ERROR, EXIT_FILE_FAILED, EXIT_OK, Commands
from core.quality.evaluate import Evaluation, EvaluationError, evaluate, remember
from core.quality.labels import LabelError, read_labels

if TYPE_CHECKING:
    from core.bootstrap import AppContext


def cmd_evaluate(ctx: AppContext, args: argparse.Namespace) -> int:
    try:
        labels = read_labels(Path(args.labels))
    except LabelError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_FILE_FAILED
    missing = [f for f in args.files if not Path(f).exists()]
    if missing:
        print(f"There is no file {missing[0]}; name the tender files to evaluate.", file=sys.stderr)
        return EXIT_FILE_FAILED
    try:
        result = evaluate(ctx, [Path(f) for f in args.files], labels, hide_cpv=args.hide_cpv)
    except EvaluationError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_ERROR
    remember(ctx.evaluations, result, CLI_ACTOR, ctx.clock(), ctx.audit())
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        print(evaluation_text(result))
    return EXIT_OK


def evaluation_text(result: Evaluation) -> str:
    s = result.scores
    codes = "text only (CPV codes hidden)" if result.hide_cpv else "with the notices' CPV codes"
    lines = [
        f"Analyst: {result.analyst}, {codes}; {s.n} labelled notices"
        + (f" ({result.unlabelled} without a label left out)" if result.unlabelled else "")
        + (f"; {result.missing} labels name no notice in the files" if result.missing else ""),
        "                 labelled relevant   labelled not",
        f"  found relevant {s.tp:>17}   {s.fp:>12}",
        f"  found not      {s.fn:>17}   {s.tn:>12}",
        f"Precision {s.precision:.3f} · recall {s.recall:.3f} · F1 {s.f1:.3f} · "
        f"routed to review (unsure) {s.review_share:.1%}",
        "Calibration (how often the verdict is right at each confidence):",
        "  confidence   notices   mean conf.   right",
    ]
    for b in s.calibration:
        lines.append(
            f"  {b.low:.1f}–{b.high:.1f}   {b.count:>9}   {b.mean_confidence:>10.3f}   "
            f"{b.accuracy:>5.1%}"
        )
    lines.append(f"Expected calibration error: {s.ece:.3f}")
    if result.llm:
        llm = result.llm
        lines.append(
            f"LLM: {llm.calls} calls, {llm.tokens:,} tokens, cost {llm.cost:.4f}; per notice "
            f"{llm.per_tender_calls:.2f} calls, {llm.per_tender_tokens:,.0f} tokens, "
            f"{llm.per_tender_cost:.5f}"
        )
    return "\n".join(lines)


def add_commands(commands: Commands) -> None:
    evaluate_cmd = commands.add_parser(
        "evaluate",
        help="score the analyst on labelled notices (in a scratch database)",
        description="Import FILEs into a scratch database with this database's profile and "
        "analyst settings, analyse them, and compare the verdicts with LABELS.csv (id,relevant). "
        "Nothing in this database changes.",
    )
    evaluate_cmd.add_argument("files", nargs="+", metavar="FILE", help="tender files or folders")
    evaluate_cmd.add_argument("--labels", required=True, metavar="LABELS.csv")
    evaluate_cmd.add_argument(
        "--hide-cpv", action="store_true", help="drop every classification: text only"
    )
    evaluate_cmd.add_argument("--json", action="store_true", help="one JSON object")
    evaluate_cmd.set_defaults(handler=cmd_evaluate)
