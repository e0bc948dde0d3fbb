"""`evaluate`: the analyst scored on labelled notices in a scratch database."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.access.roles import CLI_ACTOR
from core.bootstrap import AppContext, open_context
from core.cli.main import main
from core.imports.service import import_paths
from core.pipeline.worker import run_until_idle
from core.quality.evaluate import evaluate
from core.quality.labels import parse_labels
from storage.db import close_database
from tests.fakes import open_deadline

# (id, title, description, cpv, relevant)
NOTICES = [
    ("N-1", "Penetration testing of council systems", "Annual IT health check.", "72212730", 1),
    ("N-2", "Bespoke software development for case management", "Agile team.", "72230000", 1),
    ("N-3", "Grounds maintenance of parks", "Grass cutting and hedges.", "77310000", 0),
    ("N-4", "School catering services", "Hot meals for pupils.", "55520000", 0),
    ("N-5", "Cleaning of offices", "Daily cleaning services.", "90910000", 0),
    ("N-6", "Machine learning for fraud detection", "Predictive analytics.", "72316000", 1),
    ("N-7", "Supply of road salt", "Winter gritting salt.", "34927100", 0),
    ("N-8", "Provision of legal services", "Employment law advice.", "79100000", 0),
]


def write_notices(path: Path, *, codes: bool = True) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "title", "description", "buyer", "deadline", "cpv"])
        for notice_id, title, description, cpv, _ in NOTICES:
            row = [notice_id, title, description, "Harbourside Council", open_deadline(60)]
            writer.writerow([*row, cpv if codes else ""])
    return path


def write_labels(path: Path) -> Path:
    lines = ["id,relevant"] + [f"{n[0]},{'yes' if n[4] else 'no'}" for n in NOTICES]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def user_ctx(tmp_path: Path) -> Iterator[AppContext]:
    path = tmp_path / "user.duckdb"
    context = open_context(db_path=path)
    yield context
    close_database(path)


def import_and_run(ctx: AppContext, file: Path) -> dict[str, bool]:
    """What the dashboard would count as relevant after importing and running `file`."""
    import_paths(ctx.tenders, [file], actor=CLI_ACTOR)
    run_until_idle(ctx.tenders, ctx.make_pipeline, batch_size=50, lease_s=60)
    found = {}
    for state in ctx.tenders.all_states():
        assert state.filter is not None
        found[state.tender.source_id or ""] = (
            state.filter.is_relevant and state.status.value != "filtered_out"
        )
    return found


def f1(found: dict[str, bool], labels: dict[str, bool]) -> float:
    tp = sum(found[k] and labels[k] for k in labels)
    fp = sum(found[k] and not labels[k] for k in labels)
    fn = sum(not found[k] and labels[k] for k in labels)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def test_evaluate_agrees_with_an_import_and_run_and_touches_nothing(
    tmp_path: Path, user_ctx: AppContext
) -> None:
    notices, labels = (
        write_notices(tmp_path / "n.csv"),
        parse_labels(write_labels(tmp_path / "labels.csv").read_text()),
    )
    before = (user_ctx.tenders.count(), user_ctx.state.profile_version())
    result = evaluate(user_ctx, [notices], labels)
    assert (user_ctx.tenders.count(), user_ctx.state.profile_version()) == before
    assert result.scores.n == len(NOTICES) and result.missing == result.unlabelled == 0

    other = tmp_path / "other.duckdb"
    ctx = open_context(db_path=other)
    try:
        direct = import_and_run(ctx, notices)
    finally:
        close_database(other)
    assert result.scores.f1 == pytest.approx(f1(direct, labels), abs=0.01)
    assert {r.notice_id: r.predicted for r in result.rows} == direct


def test_hide_cpv_is_the_same_file_without_its_codes(tmp_path: Path, user_ctx: AppContext) -> None:
    labels = parse_labels(write_labels(tmp_path / "labels.csv").read_text())
    hidden = evaluate(user_ctx, [write_notices(tmp_path / "a.csv")], labels, hide_cpv=True)
    bare = evaluate(user_ctx, [write_notices(tmp_path / "b.csv", codes=False)], labels)
    assert hidden.hide_cpv and not bare.hide_cpv
    assert hidden.rows == bare.rows


def test_the_cli_prints_json_with_the_promised_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "cli.duckdb"
    notices, labels = write_notices(tmp_path / "n.csv"), write_labels(tmp_path / "l.csv")
    assert main(["--db", str(db), "evaluate", str(notices), "--labels", str(labels), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    for key in ("n", "tp", "fp", "fn", "tn", "precision", "recall", "f1", "review_share", "ece"):
        assert key in data
    assert data["n"] == len(NOTICES)
    assert data["calibration"] and {"count", "mean_confidence", "accuracy"} <= set(
        data["calibration"][0]
    )
    assert main(["--db", str(db), "evaluate", str(notices), "--labels", str(labels)]) == 0
    assert "Expected calibration error" in capsys.readouterr().out
    ctx = open_context(db_path=db)
    try:
        assert ctx.tenders.count() == 0  # the evaluation's notices stayed in the scratch database
    finally:
        close_database(db)


def test_bad_labels_are_one_sentence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("id,relevant\nN-1,perhaps\n", encoding="utf-8")
    notices = write_notices(tmp_path / "n.csv")
    code = main(
        ["--db", str(tmp_path / "x.duckdb"), "evaluate", str(notices), "--labels", str(bad)]
    )
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "“perhaps” is not a label" in err
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("id,relevant\nZZ-9,yes\n", encoding="utf-8")
    code = main(
        ["--db", str(tmp_path / "x.duckdb"), "evaluate", str(notices), "--labels", str(unknown)]
    )
    assert code == 1 and "None of the labels names a notice" in capsys.readouterr().err
