from __future__ import annotations

import threading
from datetime import UTC, datetime

import duckdb

from core.models import (
    BidDocument,
    FilterResult,
    RatingResult,
    Recommendation,
    StageOutcome,
    TenderStatus,
)
from core.profile.company import save_profile
from storage.db import close_database, open_database
from storage.migrations import available_migrations
from storage.tenders import TenderRepository
from tests.fakes import tender


def test_migrations_are_recorded_once(db_path):
    db = open_database(db_path)
    latest = available_migrations()[-1][0]
    assert db.schema_version == latest
    close_database(db_path)
    reopened = open_database(db_path)  # a second open applies nothing again
    rows = reopened.cursor().execute("SELECT version FROM schema_version").fetchall()
    assert [r[0] for r in rows] == [v for v, _, _ in available_migrations()]
    close_database(db_path)


def test_folder_is_created(tmp_path):
    path = tmp_path / "nested" / "dir" / "tw.duckdb"
    open_database(path)
    assert path.exists()
    close_database(path)


def test_duplicates_by_source_id_and_by_title_buyer_deadline(ctx):
    repo = ctx.tenders
    first = [tender("Pen test", source_id="A-1"), tender("SOC service", source_id="A-2")]
    assert repo.add_tenders(first) == (2, 0)
    again = [
        tender("Pen test (amended title)", source_id="A-1"),  # same source id
        tender("  pen   TEST ", source_id=None),  # same title/buyer/deadline, other spacing/case
        tender("New one", source_id="A-3"),
        tender("New one", source_id="A-3"),  # duplicate inside the same file
    ]
    assert repo.add_tenders(again) == (1, 3)
    assert repo.count() == 3
    # same title and buyer but another deadline is another tender
    other_day = tender("Pen test", deadline=datetime(2027, 3, 1, tzinfo=UTC))
    assert repo.add_tenders([other_day]) == (1, 0)


def test_notices_with_their_own_ids_are_kept_apart_even_with_the_same_words(ctx):
    # Contracts Finder publishes three award notices "The supply of SRMA…" by one buyer on
    # one day, each with its own Notice Identifier: three tenders, not one.
    repo = ctx.tenders
    lots = [tender("The supply of SRMA", source_id=f"award-{n}") for n in range(3)]
    assert repo.add_tenders(lots[:2]) == (2, 0)  # within a file
    assert repo.add_tenders(lots[1:]) == (1, 1)  # against what is stored
    # the same words without an id, or from another source, are still the same notice
    assert repo.add_tenders([tender("The supply of SRMA", source_id=None)]) == (0, 1)
    assert repo.add_tenders([tender("The supply of SRMA", source="ted", source_id="X")]) == (0, 1)
    assert repo.count() == 3


def test_raw_payload_and_fields_round_trip(ctx):
    original = tender(
        "Data platform",
        source_id="X-9",
        description="Build a data platform",
        value_amount=1_200_000.0,
        value_low=800_000.0,
        value_currency="gbp",
        cpv_codes=["72300000", "48610000"],
        country="GB",
        language="en",
        url="https://example.org/x",
        raw={"Title": "Data platform", "Budget": "£1,200,000", "nested": {"a": [1, 2]}},
    )
    ctx.tenders.add_tenders([original], source_file="upload.csv")
    stored = ctx.tenders.all_states()[0]
    assert stored.status is TenderStatus.PENDING
    t = stored.tender
    assert (t.title, t.value_amount, t.value_currency) == ("Data platform", 1_200_000.0, "GBP")
    assert t.value_low == 800_000.0
    assert t.cpv_codes == ["72300000", "48610000"]
    assert t.deadline == original.deadline
    assert t.raw == original.raw


def test_claims_are_atomic_across_threads(ctx):
    ctx.tenders.add_tenders([tender(f"T{i}") for i in range(300)])
    claimed: list[int] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def grab() -> None:
        repo = TenderRepository(ctx.db)
        try:
            while True:
                batch = repo.claim(7, lease_s=60)
                if not batch:
                    return
                with lock:
                    claimed.extend(c.state.tender.id for c in batch)
        except BaseException as exc:  # surfaced below: a thread's exception must fail the test
            failures.append(exc)

    threads = [threading.Thread(target=grab) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == [], "conflicting claims are retried, never raised"
    assert sorted(claimed) == list(range(1, 301)), "every tender claimed exactly once"
    assert ctx.tenders.counts_by_status() == {"processing": 300}


def test_release_stale_returns_claims_to_where_they_came_from(ctx):
    ctx.tenders.add_tenders([tender("A"), tender("B")])
    ctx.db.cursor().execute("UPDATE tenders SET status = 'approved' WHERE id = 2")
    assert len(ctx.tenders.claim(10, lease_s=60)) == 2
    assert ctx.tenders.release_stale() == 0, "leases still valid"
    ctx.db.cursor().execute("UPDATE tenders SET lease_until = now() - INTERVAL 1 MINUTE")
    assert ctx.tenders.release_stale() == 2
    assert ctx.tenders.counts_by_status() == {"pending": 1, "approved": 1}


def test_approved_tenders_are_claimed_first(ctx):
    ctx.tenders.add_tenders([tender("A"), tender("B"), tender("C")])
    ctx.db.cursor().execute("UPDATE tenders SET status = 'approved' WHERE id = 3")
    first = ctx.tenders.claim(1, lease_s=60)[0]
    assert first.state.tender.id == 3 and first.claimed_from is TenderStatus.APPROVED


def test_outcomes_save_results_and_bid_versions(ctx):
    ctx.tenders.add_tenders([tender("A")])
    ctx.tenders.claim(1, lease_s=60)
    relevance = FilterResult(is_relevant=True, confidence=0.8, categories=["Cybersecurity"])
    rating = RatingResult(
        overall_score=7.2,
        strategic_fit=8,
        win_probability=6,
        effort_required=4,
        strengths=["Strong CPV match"],
        risks=["Short deadline"],
        recommendation=Recommendation.BID,
    )
    bid = BidDocument(
        executive_summary="E", technical_approach="T", value_proposition="V", timeline_estimate="L"
    )
    ctx.tenders.save_outcomes([StageOutcome(tender_id=1, filter=relevance)])
    assert ctx.tenders.get(1).status is TenderStatus.PROCESSING, "intermediate save keeps the claim"
    ctx.tenders.save_outcomes(
        [StageOutcome(tender_id=1, rating=rating, bid=bid, status=TenderStatus.COMPLETE)]
    )
    state = ctx.tenders.get(1)
    assert state.status is TenderStatus.COMPLETE
    assert state.filter.categories == ["Cybersecurity"]
    assert state.rating.strengths == ["Strong CPV match"] and state.rating.risks == [
        "Short deadline"
    ]
    assert state.bid.executive_summary == "E"
    second = bid.model_copy(update={"executive_summary": "E2"})
    ctx.tenders.save_outcomes([StageOutcome(tender_id=1, bid=second)])
    assert ctx.tenders.get(1).bid.executive_summary == "E2", "the newest bid version is shown"
    versions = ctx.db.cursor().execute("SELECT version FROM bids ORDER BY version").fetchall()
    assert versions == [(1,), (2,)]
    assert ctx.tenders.count_bids() == 1
    finished, span_s = ctx.tenders.finished_since(60)
    assert finished == 1 and 0 <= span_s < 60


def test_error_status_and_retry(ctx):
    ctx.tenders.add_tenders([tender("A")])
    ctx.tenders.claim(1, lease_s=60)
    ctx.tenders.save_outcomes([StageOutcome(tender_id=1, status=TenderStatus.ERROR, error="boom")])
    assert ctx.tenders.recent_errors()[0][:3] == (1, "A", "boom")
    assert ctx.tenders.retry_errors() == 1
    assert ctx.tenders.counts_by_status() == {"pending": 1}


def test_write_conflicts_are_retried(ctx):
    ctx.tenders.add_tenders([tender("A")])
    attempts = {"n": 0}

    def flaky(cur):
        attempts["n"] += 1
        if attempts["n"] < 3:
            raise duckdb.TransactionException("Conflict on tuple deletion")
        cur.execute("UPDATE tenders SET error = 'x'")

    ctx.db.write(flaky)
    assert attempts["n"] == 3


def test_profile_versions(ctx):
    profile = ctx.profile()  # the default is stored on first read
    assert ctx.state.profile_version() == 1
    changed = profile.model_copy(update={"company_name": "Acme Cyber"})
    assert save_profile(ctx.state, changed) == 2
    assert ctx.profile().company_name == "Acme Cyber"


def test_a_damaged_database_is_one_sentence_and_the_file_is_owner_only(tmp_path) -> None:
    import os
    import stat

    from core.cli.main import main as cli

    db = tmp_path / "damaged.duckdb"
    assert cli(["--db", str(db), "demo"]) == 0
    mode = stat.S_IMODE(os.stat(db).st_mode)
    assert mode & 0o077 == 0, oct(mode)  # password hashes live here: owner only
    size = db.stat().st_size
    with db.open("r+b") as handle:
        handle.truncate(size // 2)
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "core.cli", "--db", str(db), "tenders", "--json"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().startswith(f"The database {db} is damaged or incomplete")
    assert len(done.stderr.strip().splitlines()) == 1
