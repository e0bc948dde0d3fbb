"""`profile show` and `profile set`: the company profile as a file, versioned and audited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.access.audit import AuditAction
from core.access.roles import CLI_ACTOR
from core.bootstrap import open_context
from core.cli.main import main
from core.profile.company import Thresholds, default_profile, save_profile
from core.profile.setup import SetUp, pending_offer, set_up_as
from storage.db import close_database


def run(db: Path, *args: str) -> int:
    return main(["--db", str(db), *args])


def test_show_json_round_trips_through_set_as_a_new_audited_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "p.duckdb"
    assert run(db, "profile", "show") == 0
    assert "Northwind Digital (the default profile, not edited yet)" in capsys.readouterr().out
    assert run(db, "profile", "show", "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["version"] == 0 and shown["capabilities"][0]["description"]

    shown["company_name"] = "Acme Digital"
    shown["capabilities"][0]["keywords"].append("red teaming")
    file = tmp_path / "profile.json"
    file.write_text(json.dumps(shown), encoding="utf-8")
    assert run(db, "profile", "set", str(file)) == 0
    assert "Profile version 1 is in force: Acme Digital" in capsys.readouterr().out

    assert run(db, "profile", "show", "--json") == 0
    again = json.loads(capsys.readouterr().out)
    assert again["version"] == 1 and again["company_name"] == "Acme Digital"
    assert "red teaming" in again["capabilities"][0]["keywords"]
    ctx = open_context(db_path=db)
    try:
        events = ctx.audit().events(CLI_ACTOR, action=AuditAction.SETTINGS_CHANGED)
        assert any("set from profile.json as profile version 1" in e.detail for e in events)
    finally:
        close_database(db)


def test_a_file_without_a_policy_keeps_the_one_in_force(tmp_path: Path) -> None:
    db = tmp_path / "p.duckdb"
    ctx = open_context(db_path=db)
    strict = Thresholds(min_relevance_confidence=0.3, auto_accept_confidence=0.9)
    save_profile(ctx.state, default_profile().model_copy(update={"thresholds": strict}))
    close_database(db)
    data = default_profile().model_dump(mode="json")
    del data["thresholds"]
    file = tmp_path / "profile.json"
    file.write_text(json.dumps(data), encoding="utf-8")
    assert run(db, "profile", "set", str(file)) == 0
    ctx = open_context(db_path=db)
    try:
        assert ctx.profile().thresholds == strict
    finally:
        close_database(db)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON (line 1)"),
        ("[1, 2]", "must hold one JSON object"),
        ('{"company_name": ""}', "Company name is required"),
        (
            json.dumps({**default_profile().model_dump(mode="json"), "capabilities": []}),
            "Add at least one capability",
        ),
    ],
)
def test_a_bad_file_is_one_sentence_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    db = tmp_path / "p.duckdb"
    file = tmp_path / "bad.json"
    file.write_text(content, encoding="utf-8")
    assert run(db, "profile", "set", str(file)) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err
    ctx = open_context(db_path=db)
    try:
        assert ctx.state.profile_version() == 0
    finally:
        close_database(db)


def test_a_profile_change_says_how_many_undecided_tenders_to_re_analyse(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "p.duckdb"
    assert run(db, "demo") == 0 and run(db, "run") == 0
    ctx = open_context(db_path=db)
    try:
        assert set_up_as(ctx.state) is SetUp.EXAMPLE  # the demo runs as the example company
        analysed = ctx.tenders.count_reanalysable()
    finally:
        close_database(db)
    assert analysed > 0
    capsys.readouterr()
    assert run(db, "profile", "show", "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    shown["company_name"] = "Acme Digital"
    file = tmp_path / "profile.json"
    file.write_text(json.dumps(shown), encoding="utf-8")

    assert run(db, "profile", "set", str(file)) == 0
    out = capsys.readouterr().out
    assert f"{analysed} undecided tenders were analysed with the earlier profile" in out
    assert "`reanalyse --all`" in out
    ctx = open_context(db_path=db)
    try:
        assert set_up_as(ctx.state) is SetUp.YOURS
        assert pending_offer(ctx.state, ctx.tenders) == analysed  # the app offers the same
    finally:
        close_database(db)
