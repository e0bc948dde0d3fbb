"""The review gate's must-show, through the CLI, with the LLM analyst on the fake server.

61 synthetic tenders are imported and run once per module; each test works on its own copy
of that database. The answerer sets each tender's relevance confidence and overall score
from its lot number, so some verdicts are very unsure, some inside the review band and some
above it; the rules prefilter is off, so every verdict is the answer's.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
import pytest

from bench.synthetic import HEADER, synthetic_rows
from core.access.roles import CLI_ACTOR
from core.bootstrap import open_context
from core.cli import main
from core.config import get_settings
from core.llm.health import health_for
from core.models import RESTING_STATUSES, Role
from storage.db import close_database
from tests.fake_openai import FakeConfig, FakeOpenAI, keen

MODEL = "fake-model"
TENDERS = 61
RESTING = {s.value for s in RESTING_STATUSES}
# Titles a spreadsheet would run as formulas; the table export must neutralise them.
FORMULA_TITLES = {3: '=HYPERLINK("http://x.test") ', 8: "@SUM(A1:A9) ", 14: "-2+3 ", 20: "+1 "}
LOT = re.compile(r"\(lot (\d+)\)")
BID_SECTIONS = ("Executive summary", "Technical approach", "Value proposition", "Timeline estimate")


@dataclass(frozen=True)
class Plan:
    """What the fake model says about one group of tenders (by lot number modulo 6)."""

    relevant: bool
    confidence: float
    score: float
    status: str  # where the tender rests after `run`
    stage: str | None = None  # why it waits, when it waits
    proposal: str | None = None


PLANS = {
    0: Plan(True, 0.65, 8.0, "needs_review", "relevance", "go"),  # unsure, inside the band
    1: Plan(True, 0.30, 8.0, "needs_review", "relevance", "go"),  # very unsure: min is 0
    2: Plan(True, 0.95, 9.0, "needs_review", "approval", "go"),  # confident go: approval
    3: Plan(True, 0.95, 3.0, "rated_low"),  # confident, low score
    4: Plan(False, 0.70, 2.0, "needs_review", "relevance", "no_go"),  # unsure "not relevant"
    5: Plan(True, 0.90, 6.2, "needs_review", "score", "go"),  # borderline score
}


def plan_for(lot: int) -> Plan:
    return PLANS[lot % len(PLANS)]


def lot_of(text: str) -> int:
    lots = LOT.findall(text)
    assert lots, f"no lot number in {text[:200]!r}"
    return int(lots[-1])


def answerer(schema: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    answer = keen(schema, request)
    fields = schema.get("properties", {})
    if "is_relevant" not in fields and "overall_score" not in fields:
        return answer  # bid sections (or a ping): keen's answer is valid
    plan = plan_for(lot_of(json.dumps(request.get("messages"), ensure_ascii=False)))
    if "is_relevant" in fields:
        answer.update(is_relevant=plan.relevant, confidence=plan.confidence)
    if "overall_score" in fields:
        answer["overall_score"] = plan.score
    return answer


def write_tenders(path: Path) -> Path:
    rows = synthetic_rows(TENDERS, seed=11)
    for lot, prefix in FORMULA_TITLES.items():
        rows[lot][1] = prefix + rows[lot][1]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


# ------------------------------------------------------------------------------ fixtures
PASSWORD = "tender season 2026"


@dataclass
class Analysed:
    db: Path  # the database after import + run, closed; copy it before use
    server: FakeOpenAI


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Analysed]:
    folder = tmp_path_factory.mktemp("review_llm")
    server = FakeOpenAI(FakeConfig(latency=(0.001, 0.004), answerer=answerer, seed=61)).start()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("LLM_BASE_URL", server.base_url)
        env.setenv("LLM_MODEL", MODEL)
        env.setenv("LLM_MAX_CONCURRENCY", "8")
        env.setenv("LLM_TIMEOUT_S", "5")
        env.setenv("TENDERWISE_LOG_DIR", str(folder / "logs"))
        for name in ("LLM_MODEL_FILTER", "LLM_MODEL_RATE", "LLM_MODEL_WRITE", "LLM_RPM"):
            env.delenv(name, raising=False)
        get_settings.cache_clear()
        try:
            db = folder / "analysed.duckdb"
            csv_path = write_tenders(folder / "tenders.csv")
            assert main(["--db", str(db), "import", str(csv_path)]) == 0
            # every verdict comes from the answerer: no rules prefilter before the LLM
            setup = open_context(db_path=db)
            setup.analyst_settings().set_prefilter(False, actor=CLI_ACTOR)
            for name, role in (("alice", Role.APPROVER), ("bob", Role.APPROVER)):
                setup.accounts().add(CLI_ACTOR, name, name.title(), role, PASSWORD)
            close_database(db)
            assert main(["--db", str(db), "run", "--wait", "20"]) == 0
            close_database(db)
            yield Analysed(db, server)
        finally:
            get_settings.cache_clear()
            server.stop()
            health_for(server.base_url).clear()
    get_settings.cache_clear()  # the environment is restored now


@pytest.fixture
def db(analysed: Analysed, tmp_path: Path) -> Iterator[str]:
    """This test's own copy of the analysed database."""
    path = tmp_path / "tw.duckdb"
    shutil.copyfile(analysed.db, path)
    yield str(path)
    close_database(path)


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def cli_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    code, out, err = cli(capsys, *argv)
    assert code == 0, err
    return json.loads(out)


def tenders_by_id(capsys: pytest.CaptureFixture[str], db: str) -> dict[int, dict[str, Any]]:
    return {r["id"]: r for r in cli_json(capsys, "--db", db, "tenders", "--json")}


def queue_by_id(capsys: pytest.CaptureFixture[str], db: str) -> dict[int, dict[str, Any]]:
    items = cli_json(capsys, "--db", db, "review", "list", "--json")
    return {item["tender_id"]: item for item in items}


def waiting_with(
    capsys: pytest.CaptureFixture[str], db: str, **wanted: Any
) -> list[dict[str, Any]]:
    chosen = [
        item
        for item in queue_by_id(capsys, db).values()
        if all(item[k] == v for k, v in wanted.items())
    ]
    assert chosen, f"nothing waits with {wanted}"
    return chosen


def history(capsys: pytest.CaptureFixture[str], db: str, tender_id: int) -> list[dict[str, Any]]:
    return cli_json(capsys, "--db", db, "review", "history", str(tender_id), "--json")


# ------------------------------------------------------------------------------ the queue
def test_unsure_and_bid_approvals_wait_without_bids_and_no_tender_is_lost(db, capsys):
    tenders = tenders_by_id(capsys, db)
    queue = queue_by_id(capsys, db)
    status = cli_json(capsys, "--db", db, "status", "--json")

    assert len(tenders) == TENDERS
    assert {r["status"] for r in tenders.values()} <= RESTING, "every tender is at rest"
    assert status["tenders"] == TENDERS and status["errors"] == 0
    assert status["bids"] == 0 and status["by_status"].get("complete", 0) == 0
    assert status["review_queue"] == len(queue) == status["by_status"]["needs_review"]
    assert not any(r["has_bid"] for r in tenders.values()), "no bid before a person's go"

    asked = Counter()
    for tender_id, record in tenders.items():
        plan = plan_for(lot_of(record["title"]))
        asked[plan] += 1
        assert MODEL in str(record["analyst"]), record
        assert record["status"] == plan.status, (tender_id, record["title"], plan)
        assert record["confidence"] == pytest.approx(plan.confidence)
        if plan.stage is None:
            assert tender_id not in queue
            continue
        item = queue[tender_id]
        assert {"tender_id", "stage", "proposal", "confidence", "deadline"} <= set(item)
        assert item["stage"] == plan.stage and item["proposal"] == plan.proposal
        assert item["confidence"] == pytest.approx(plan.confidence)
        assert item["deadline"] == record["deadline"] and item["deadline"]
    assert set(asked) == set(PLANS.values()), "every kind of verdict occurred"
    # the queue is soonest deadline first
    deadlines = [item["deadline"] for item in queue.values()]
    assert deadlines == sorted(deadlines)


# ------------------------------------------------------------------------------ decisions
def test_go_without_a_reason_or_a_name_is_one_line_and_records_nothing(db, capsys):
    tender_id = waiting_with(capsys, db, proposal="no_go")[0]["tender_id"]
    for extra in ([], ["--reason", "   "]):
        code, out, err = cli(
            capsys, "--db", db, "review", "decide", str(tender_id), "--go", "--by", "alice", *extra
        )
        assert code != 0
        assert len(err.strip().splitlines()) == 1 and "reason" in err, err
        assert "Traceback" not in err + out
    for who in ("", "   "):  # nobody named: refused the same way
        code, out, err = cli(
            capsys, "--db", db, "review", "decide", str(tender_id), "--accept", "--by", who
        )
        assert code != 0 and len(err.strip().splitlines()) == 1 and "--by" in err, err
        assert "Traceback" not in err + out
    assert history(capsys, db, tender_id) == []
    assert tenders_by_id(capsys, db)[tender_id]["status"] == "needs_review"
    assert cli_json(capsys, "--db", db, "status", "--json")["bids"] == 0


def test_go_no_go_and_accept_through_the_cli(db, capsys):
    go_id = waiting_with(capsys, db, proposal="no_go")[0]["tender_id"]
    no_go_id = waiting_with(capsys, db, stage="approval")[0]["tender_id"]
    accept_go_id = waiting_with(capsys, db, stage="relevance", proposal="go")[0]["tender_id"]
    accept_no_go_id = waiting_with(capsys, db, stage="relevance", proposal="no_go")[1]["tender_id"]
    decide = ("--db", db, "review", "decide")

    code, out, err = cli(
        capsys, *decide, str(go_id), "--go", "--by", "alice", "--reason", "we know this buyer"
    )
    assert code == 0, err
    assert f"Tender {go_id} is complete" in out
    code, _, err = cli(
        capsys, *decide, str(no_go_id), "--no-go", "--by", "alice", "--reason", "no capacity"
    )
    assert code == 0, err
    for tender_id in (accept_go_id, accept_no_go_id):
        code, _, err = cli(capsys, *decide, str(tender_id), "--accept", "--by", "alice")
        assert code == 0, err

    tenders = tenders_by_id(capsys, db)
    outcomes = {i: (tenders[i]["status"], tenders[i]["has_bid"]) for i in tenders}
    assert outcomes[go_id] == ("complete", True)
    assert outcomes[no_go_id] == ("rejected", False)
    assert outcomes[accept_go_id] == ("complete", True), "accept follows the AI's go"
    assert outcomes[accept_no_go_id] == ("filtered_out", False), "…and its not-relevant"
    assert [i for i, (s, bid) in outcomes.items() if bid] == sorted([go_id, accept_go_id])
    assert all(not bid for s, bid in outcomes.values() if s in ("needs_review", "rejected"))
    queue = queue_by_id(capsys, db)
    assert not {go_id, no_go_id, accept_go_id, accept_no_go_id} & set(queue)

    first = history(capsys, db, go_id)
    assert len(first) == 1
    for tender_id, action in ((go_id, "--no-go"), (no_go_id, "--go"), (accept_go_id, "--accept")):
        code, out, err = cli(
            capsys, *decide, str(tender_id), action, "--by", "bob", "--reason", "second"
        )
        assert code != 0 and "Traceback" not in err
        assert re.search(r"already decided by alice at \d{4}-\d\d-\d\d \d\d:\d\d UTC", err), err
        assert len(err.strip().splitlines()) == 1
    assert history(capsys, db, go_id) == first, "the refused decision recorded nothing"

    (went,) = first
    assert went["action"] == "go" and went["decided_by"] == "alice"
    assert went["role"] == "approver" and went["reason"] == "we know this buyer"
    assert went["status_before"] == "needs_review" and went["status_after"] == "approved"
    assert went["ai_proposal"] == "no_go" and went["model"] == MODEL
    assert went["decided_at"] and went["policy"]["auto_accept_confidence"] == 0.8
    (stopped,) = history(capsys, db, no_go_id)
    assert (stopped["action"], stopped["decided_by"], stopped["reason"]) == (
        "no_go",
        "alice",
        "no capacity",
    )
    (accepted,) = history(capsys, db, accept_go_id)
    assert accepted["action"] == "accept" and accepted["reason"] == ""


def test_history_without_a_tender_is_one_line(db, capsys):
    code, out, err = cli(capsys, "--db", db, "review", "history", "99999", "--json")
    assert code != 0 and out == "" and len(err.strip().splitlines()) == 1


# ------------------------------------------------------------------------------ exports
def test_exported_bids_have_the_four_sections(db, capsys, tmp_path):
    chosen = [item["tender_id"] for item in waiting_with(capsys, db, stage="approval")[:3]]
    for tender_id in chosen:
        code, _, err = cli(
            capsys,
            *("--db", db, "review", "decide", str(tender_id), "--go", "--by", "alice"),
            *("--reason", "approved for bidding"),
        )
        assert code == 0, err

    out_dir = tmp_path / "bids"
    code, _, err = cli(
        capsys, "--db", db, "export", "bids", "--format", "docx", "--out", str(out_dir)
    )
    assert code == 0, err
    written = sorted(out_dir.glob("*.docx"))
    assert len(written) == len(chosen)
    for path in written:
        headings = [
            p.text for p in docx.Document(str(path)).paragraphs if p.style.name == "Heading 1"
        ]
        assert set(BID_SECTIONS) <= set(headings), (path.name, headings)


def test_the_table_export_neutralises_formula_cells(db, capsys, tmp_path):
    titles = [r["title"] for r in tenders_by_id(capsys, db).values()]
    starts = {t[0] for t in titles if t[:1] in ("=", "+", "-", "@")}
    assert starts == {"=", "+", "-", "@"}, "the imported titles really start like formulas"

    table = tmp_path / "tenders.csv"
    code, out, err = cli(
        capsys, "--db", db, "export", "table", "--format", "csv", "--out", str(table)
    )
    assert code == 0, err
    assert out.startswith(f"{TENDERS} tenders written to")
    rows = list(csv.reader(io.StringIO(table.read_text(encoding="utf-8-sig"))))
    assert len(rows) == TENDERS + 1
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))]
    for prefix in FORMULA_TITLES.values():
        assert any(c.startswith("'" + prefix) for c in cells), prefix
