"""A later notice of a stored procedure updates its tender as a new version, not a duplicate."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.access.roles import CLI_ACTOR
from core.bootstrap import AppContext, open_context
from core.imports.service import import_paths
from core.ingest import parse_file
from core.models import Classification, Lot, NoticeDocument, NoticeType, Tender, TenderStatus
from core.pipeline.worker import run_until_idle
from storage.db import close_database
from tests.fakes import route_without_review, tender

PUBLISHED = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
DEADLINE = datetime(2026, 12, 15, 12, 0, tzinfo=UTC)
NOW = PUBLISHED + timedelta(days=7)  # the services' clock: every notice here is still open


def notice(day: int = 0, **fields: object):
    values: dict[str, object] = {
        "source": "ocds",
        "source_id": "ocds-abc-001",
        "procedure_id": "ocds-abc-001",
        "buyer": "City of Ely",
        "description": "Penetration testing and SOC services for the council.",
        "cpv_codes": ["72212730"],
        "deadline": DEADLINE,
        "published_at": PUBLISHED + timedelta(days=day),
        "value_amount": 200_000.0,
        "value_currency": "GBP",
    }
    values.update(fields)
    return tender("Cybersecurity testing and monitoring", **values)


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    path = tmp_path / "versions.duckdb"
    context = open_context(db_path=path, clock=lambda: NOW)
    route_without_review(context.state)
    yield context
    close_database(path)


def analyse(ctx: AppContext) -> None:
    run_until_idle(ctx.tenders, ctx.make_pipeline, batch_size=50, lease_s=60)


def test_a_changed_deadline_is_a_new_version_and_the_analysis_runs_again(ctx: AppContext):
    assert ctx.tenders.import_tenders([notice()], "v1.json").new == 1
    analyse(ctx)
    (state,) = ctx.tenders.all_states()
    assert state.status is TenderStatus.COMPLETE and state.filter is not None

    later = DEADLINE + timedelta(days=14)
    counts = ctx.tenders.import_tenders([notice(day=3, deadline=later)], "v2.json")
    assert (counts.new, counts.updated, counts.duplicates) == (0, 1, 0)
    assert ctx.tenders.count() == 1, "the same tender, not a second one"
    state = ctx.tenders.get(state.tender.id or 0)
    assert state is not None
    assert state.tender.deadline == later
    assert state.status is TenderStatus.PENDING and state.filter is None and state.rating is None
    assert state.bid is not None, "the bid draft is kept"
    (version,) = ctx.tenders.versions(state.tender.id or 0)
    assert version.version == 2 and version.reanalysed and version.source_file == "v2.json"
    assert set(version.changes) == {"deadline", "published_at"}
    assert version.changes["deadline"]["new"].startswith("2026-12-29")
    analyse(ctx)
    assert ctx.tenders.get(state.tender.id or 0).filter is not None  # type: ignore[union-attr]


def test_a_change_of_link_only_keeps_the_analysis(ctx: AppContext):
    ctx.tenders.import_tenders([notice()], "v1.json")
    analyse(ctx)
    counts = ctx.tenders.import_tenders([notice(day=1, url="https://example.test/n/2")])
    assert counts.updated == 1
    (state,) = ctx.tenders.all_states()
    assert state.status is TenderStatus.COMPLETE and state.filter is not None
    (version,) = ctx.tenders.versions(state.tender.id or 0)
    assert not version.reanalysed and "url" in version.changes


def test_the_same_notice_or_an_older_one_is_a_duplicate(ctx: AppContext):
    ctx.tenders.import_tenders([notice(day=5)])
    assert ctx.tenders.import_tenders([notice(day=5)]).duplicates == 1
    older = notice(day=1, deadline=DEADLINE - timedelta(days=30))
    assert ctx.tenders.import_tenders([older]).duplicates == 1
    (state,) = ctx.tenders.all_states()
    assert state.tender.deadline == DEADLINE, "an older notice never overwrites a newer one"
    assert ctx.tenders.versions(state.tender.id or 0) == []


def test_versions_in_one_file_are_applied_oldest_first(ctx: AppContext):
    newest = notice(day=9, value_amount=250_000.0)
    counts = ctx.tenders.import_tenders([newest, notice(day=0)], "both.json")
    assert (counts.new, counts.updated) == (1, 1)
    (state,) = ctx.tenders.all_states()
    assert state.tender.value_amount == 250_000.0


@pytest.mark.parametrize("published", [PUBLISHED, None], ids=["same date", "no date"])
def test_importing_again_changes_nothing_when_notices_share_a_date(
    ctx: AppContext, published: datetime | None
):
    first = notice(published_at=published)
    amended = notice(published_at=published, value_amount=250_000.0, buyer="Ely City Council")
    counts = ctx.tenders.import_tenders([first, amended], "both.json")
    assert (counts.new, counts.updated) == (1, 1)
    (state,) = ctx.tenders.all_states()
    tender_id = state.tender.id or 0
    assert (state.tender.value_amount, state.tender.buyer) == (250_000.0, "Ely City Council")

    for _ in range(2):  # before, each import applied the first notice, then the second, again
        again = ctx.tenders.import_tenders([first, amended], "both.json")
        assert (again.new, again.updated, again.duplicates) == (0, 0, 2)
    (state,) = ctx.tenders.all_states()
    assert (state.tender.value_amount, state.tender.buyer) == (250_000.0, "Ely City Council")
    assert [v.version for v in ctx.tenders.versions(tender_id)] == [2], "no fake versions"

    correction = notice(published_at=published, value_amount=240_000.0)
    assert ctx.tenders.import_tenders([correction]).updated == 1, "a new notice still applies"
    (state,) = ctx.tenders.all_states()
    assert state.tender.value_amount == 240_000.0


def test_an_award_for_the_procedure_closes_it_without_rating(ctx: AppContext):
    ctx.tenders.import_tenders([notice()])
    analyse(ctx)
    award = notice(day=40, notice_type=NoticeType.AWARD, form_type="award")
    assert ctx.tenders.import_tenders([award]).updated == 1
    analyse(ctx)
    (state,) = ctx.tenders.all_states()
    assert state.status is TenderStatus.FILTERED_OUT and state.rating is None
    # Nothing to bid for, but the offline screen still says whose work it is.
    assert state.filter is not None and state.filter.analyst == "rules"
    assert state.filter.is_relevant and "notice type: award" in state.filter.evidence
    assert state.filter.reasoning.startswith("Award notice: there is nothing to bid for")


def test_other_sources_and_procedures_stay_apart(ctx: AppContext):
    ctx.tenders.import_tenders([notice()])
    other_source = notice(day=2, source="ted", source_id="2026/S 001-1")
    other_procedure = notice(
        day=2,
        procedure_id="ocds-abc-002",
        source_id="ocds-abc-002",
        deadline=DEADLINE + timedelta(days=1),
    )
    counts = ctx.tenders.import_tenders([other_source, other_procedure])
    assert counts.updated == 0
    assert ctx.tenders.count() == 2, "same title, buyer and day from TED is the duplicate"


def test_a_large_file_is_stored_in_batches_as_it_is_read(
    ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core.ingest import rows

    monkeypatch.setattr(rows, "STREAM_BATCH", 4)
    batches: list[int] = []
    store = ctx.tenders.import_tenders

    def counting(tenders, source_file=None):
        batches.append(len(tenders))
        return store(tenders, source_file)

    monkeypatch.setattr(ctx.tenders, "import_tenders", counting)
    path = tmp_path / "ten.csv"
    path.write_text(
        "title,buyer,deadline\n"
        + "".join(f"Tender {n},Buyer {n},2026-12-{n + 1:02d}\n" for n in range(10))
        + ",no title,2026-12-20\n"
    )
    (summary,) = import_paths(ctx.tenders, [path], actor=CLI_ACTOR)
    assert batches == [4, 4, 2], "stored while reading, four at a time"
    assert (summary.new, summary.format, len(summary.refused_rows)) == (10, "csv", 1)
    assert ctx.tenders.count() == 10


# --------------------------------------------------------------------------- partial notices

PORTALS = Path(__file__).resolve().parents[1] / "fixtures" / "ocds" / "portals"
FULL = {
    "country": "GB",
    "url": "https://example.test/n/1",
    "classifications": [Classification(scheme="UNSPSC", code="81111801")],
    "lots": [Lot(id="1", title="Testing"), Lot(id="2", title="Monitoring")],
    "documents": [NoticeDocument(title="ITT", url="https://example.test/itt.pdf")],
}


def partial(day: int, **fields: object) -> Tender:
    """A later release with only what it changes: no buyer, description, CPV, value or lots."""
    values: dict[str, object] = {
        "source": "ocds",
        "procedure_id": "ocds-abc-001",
        "title": "Cybersecurity testing and monitoring",
        "published_at": PUBLISHED + timedelta(days=day),
    }
    values.update(fields)
    return Tender.model_validate(values)


def test_a_partial_update_changes_only_what_it_gives(ctx: AppContext):
    ctx.tenders.import_tenders([notice(**FULL)], "v1.json")
    analyse(ctx)
    (state,) = ctx.tenders.all_states()
    before = state.tender

    later = DEADLINE + timedelta(days=7)
    counts = ctx.tenders.import_tenders([partial(day=2, deadline=later)], "v2.json")
    assert (counts.new, counts.updated, counts.duplicates) == (0, 1, 0)
    state = ctx.tenders.get(before.id or 0)
    assert state is not None
    after = state.tender
    assert after.deadline == later
    kept = ("title", "buyer", "description", "cpv_codes", "classifications", "lots")
    kept += ("documents", "value_amount", "value_currency", "url", "country", "source_id")
    assert {name: getattr(after, name) for name in kept} == {
        name: getattr(before, name) for name in kept
    }
    (version,) = ctx.tenders.versions(after.id or 0)
    assert set(version.changes) == {"deadline", "published_at"}, "only what really changed"
    assert version.reanalysed and version.source_file == "v2.json"
    assert state.status is TenderStatus.PENDING and state.filter is None


def test_a_cancellation_stub_cancels_and_keeps_the_title_buyer_and_cpv(ctx: AppContext):
    releases = [
        {
            "ocid": "ocds-test77-1",
            "id": "1",
            "date": "2026-10-01T09:00:00Z",
            "tag": ["tender"],
            "buyer": {"name": "City of Ely"},
            "tender": {
                "title": "Cybersecurity testing",
                "description": "Penetration testing and SOC services.",
                "items": [{"id": "1", "classification": {"scheme": "CPV", "id": "72212730"}}],
                "tenderPeriod": {"endDate": "2026-12-15T12:00:00Z"},
                "value": {"amount": 200000, "currency": "GBP"},
            },
        },
        {
            "ocid": "ocds-test77-1",
            "id": "2",
            "date": "2026-10-20T09:00:00Z",
            "tag": ["tenderCancellation"],
            "tender": {"status": "cancelled"},
        },
    ]
    document = {"uri": "x", "publishedDate": "2026-10-20T00:00:00Z", "releases": releases}
    parsed = parse_file(json.dumps(document).encode(), "releases.json")
    first, stub = parsed.tenders
    assert stub.title == "Cancellation notice for ocds-test77-1"
    ctx.tenders.import_tenders([first], "first.json")
    analyse(ctx)
    assert ctx.tenders.import_tenders([stub], "stub.json").updated == 1

    (state,) = ctx.tenders.all_states()
    tender = state.tender
    assert tender.notice_type is NoticeType.CANCELLATION
    assert (tender.title, tender.buyer, tender.cpv_codes) == (
        "Cybersecurity testing",
        "City of Ely",
        ["72212730"],
    )
    assert (tender.value_amount, tender.deadline) == (first.value_amount, first.deadline)
    (version,) = ctx.tenders.versions(tender.id or 0)
    assert set(version.changes) == {"notice_type", "form_type", "published_at"}
    assert version.reanalysed
    analyse(ctx)
    (state,) = ctx.tenders.all_states()
    assert state.status is TenderStatus.FILTERED_OUT


def test_an_update_that_names_another_buyer_changes_it(ctx: AppContext):
    ctx.tenders.import_tenders([notice(**FULL)])
    analyse(ctx)
    assert ctx.tenders.import_tenders([partial(day=1, buyer="Ely City Council")]).updated == 1
    (state,) = ctx.tenders.all_states()
    assert state.tender.buyer == "Ely City Council"
    assert state.tender.cpv_codes == ["72212730"]
    (version,) = ctx.tenders.versions(state.tender.id or 0)
    assert version.changes["buyer"] == {"old": "City of Ely", "new": "Ely City Council"}
    assert set(version.changes) == {"buyer", "published_at"}
    assert not version.reanalysed, "the buyer is not a substantive change: as before"
    assert state.status is TenderStatus.COMPLETE


def test_a_partial_update_with_nothing_new_is_a_duplicate(ctx: AppContext):
    ctx.tenders.import_tenders([notice(**FULL)])
    same_day = partial(day=0)
    assert ctx.tenders.import_tenders([same_day]).duplicates == 1
    (state,) = ctx.tenders.all_states()
    assert ctx.tenders.versions(state.tender.id or 0) == []


def test_the_portal_files_stored_keep_titles_buyers_and_classifications(ctx: AppContext):
    paths = sorted(PORTALS.glob("*.json"))
    summaries = import_paths(ctx.tenders, paths, actor=CLI_ACTOR)
    assert all(s.ok and not s.refused_rows for s in summaries)
    assert sum(s.updated for s in summaries) >= 4
    stored = [state.tender for state in ctx.tenders.all_states()]
    count = len(stored)
    titled = sum(bool(t.title.strip()) for t in stored) / count
    with_buyer = sum(bool(t.buyer) for t in stored) / count
    classified = sum(bool(t.cpv_codes or t.classifications) for t in stored) / count
    shares = (titled, with_buyer, classified)
    assert titled >= 0.98 and with_buyer >= 0.95 and classified >= 0.90, shares
    assert not any(t.title.startswith("Cancellation notice for") and t.buyer for t in stored)

    # Find a Tender's tenderUpdate moves the deadline and carries no lots: the lots stay.
    (grounds,) = [t for t in stored if t.procedure_id == "ocds-h6vhtk-05a110"]
    assert grounds.deadline == datetime(2025, 7, 21, 11, tzinfo=UTC)
    assert [lot.id for lot in grounds.lots] == ["1", "2"]
    (version,) = ctx.tenders.versions(grounds.id or 0)
    assert "lots" not in version.changes and "deadline" in version.changes

    # The same files again: the same instants in another zone (BST) are no change.
    again = import_paths(ctx.tenders, paths, actor=CLI_ACTOR)
    assert sum(s.new for s in again) == 0
    assert len(ctx.tenders.versions(grounds.id or 0)) == 1
