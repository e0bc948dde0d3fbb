"""The audit log over an in-memory store: recording, reading (admins only), filters, CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from core.access.audit import (
    AuditAction,
    AuditLog,
    audited,
    check,
    clean_detail,
    count_text,
    day_range,
    events_csv,
)
from core.access.roles import ADMINS, CLI_ACTOR, DECIDERS, Actor, NotAllowed
from core.models import Role
from tests.fakes import InMemoryAuditStore

ANN = Actor(name="ann", role=Role.ADMIN, display_name="Ann Admin")
CAROL = Actor(name="carol", role=Role.BID_MANAGER)
VERA = Actor(name="vera", role=Role.VIEWER)
START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        self.now += timedelta(hours=1)
        return self.now


@pytest.fixture
def store() -> InMemoryAuditStore:
    return InMemoryAuditStore()


@pytest.fixture
def log(store: InMemoryAuditStore) -> AuditLog:
    return AuditLog(store, clock=Clock())


def test_record_returns_the_stored_event_with_its_id_and_time(log: AuditLog) -> None:
    event = log.record("bob", Role.APPROVER, AuditAction.DECISION, target="tender 12", detail="go")
    assert event.id == 1
    assert event.at == START + timedelta(hours=1)
    assert (event.actor, event.role, event.action) == ("bob", Role.APPROVER, AuditAction.DECISION)
    assert (event.target, event.detail, event.outcome) == ("tender 12", "go", "ok")
    assert log.events(ANN) == [event]


def test_record_actor_uses_the_username_and_role_and_the_cli_has_no_role(log: AuditLog) -> None:
    by_ann = log.record_actor(ANN, AuditAction.SETTINGS_CHANGED, target="settings: x")
    by_cli = log.record_actor(CLI_ACTOR, AuditAction.IMPORT, target="file a.csv")
    assert (by_ann.actor, by_ann.role) == ("ann", Role.ADMIN)
    assert (by_cli.actor, by_cli.role) == ("cli", None)


def test_only_admins_read_the_log(log: AuditLog) -> None:
    log.record("system", None, AuditAction.IMPORT)
    for viewer in (CAROL, VERA, Actor(name="al", role=Role.APPROVER)):
        with pytest.raises(NotAllowed, match="only admins can read the audit log"):
            log.events(viewer)
    assert len(log.events(ANN)) == 1


def test_events_are_newest_first_and_filtered(log: AuditLog) -> None:
    first = log.record("bob", Role.APPROVER, AuditAction.DECISION, target="tender 1")
    second = log.record("carol", Role.BID_MANAGER, AuditAction.IMPORT, target="file tenders.csv")
    third = log.record("Bob", Role.APPROVER, AuditAction.BID_APPROVED, detail="version 2")
    assert log.events(ANN) == [third, second, first]
    assert log.events(ANN, actor="BOB") == [third, first], "whole name, any case"
    assert log.events(ANN, actor="bo") == []
    assert log.events(ANN, action=AuditAction.IMPORT) == [second]
    assert log.events(ANN, since=second.at) == [third, second], "since is inclusive"
    assert log.events(ANN, until=second.at) == [first], "until is exclusive"
    assert log.events(ANN, text="TENDERS.CSV") == [second]
    assert log.events(ANN, text="version 2") == [third]
    assert log.events(ANN, limit=1) == [third]


def test_details_are_one_bounded_line_without_secrets(log: AuditLog) -> None:
    event = log.record(
        "ann",
        Role.ADMIN,
        AuditAction.SETTINGS_CHANGED,
        detail="api_key=sk-abcdefghijklmnop\npassword: hunter2 and " + "x" * 500,
    )
    assert "sk-abc" not in event.detail and "hunter2" not in event.detail
    assert "\n" not in event.detail
    assert len(event.detail) <= 300
    assert clean_detail("token sk-proj-1234567890abcdef") == "token ***"


def test_a_refusal_is_recorded_then_raised(log: AuditLog) -> None:
    with pytest.raises(NotAllowed) as refused:
        log.require(CAROL, DECIDERS, "decide on tenders", target="tender 7")
    [event] = log.events(ANN)
    assert event.action is AuditAction.REFUSED and event.outcome == "refused"
    assert (event.actor, event.role, event.target) == ("carol", Role.BID_MANAGER, "tender 7")
    assert event.detail == str(refused.value)


def test_an_unnamed_actor_is_refused_without_a_record(log: AuditLog) -> None:
    with pytest.raises(NotAllowed):
        log.require(Actor(name="  ", role=Role.ADMIN), ADMINS, "change settings")
    assert log.events(ANN) == []


def test_check_without_a_log_still_enforces(store: InMemoryAuditStore) -> None:
    with pytest.raises(NotAllowed):
        check(None, VERA, ADMINS, "change settings")
    check(None, ANN, ADMINS, "change settings")
    assert store.rows == []


def test_the_store_is_append_only_through_the_log(log: AuditLog, store: InMemoryAuditStore) -> None:
    assert not any(hasattr(log, name) for name in ("update", "delete", "remove", "clear"))
    log.record("a", None, AuditAction.EXPORT)
    log.record("b", None, AuditAction.EXPORT)
    assert [row["id"] for row in store.rows] == [1, 2]


def test_an_audited_download_records_only_once_it_is_built(log: AuditLog) -> None:
    def broken() -> bytes:
        raise RuntimeError("disk full")

    download = audited(log, CAROL, lambda: b"data", target="tender 3", detail="bid (md)")
    assert log.events(ANN) == [], "nothing until the button is clicked"
    assert download() == b"data"
    [event] = log.events(ANN)
    assert (event.action, event.actor, event.target) == (AuditAction.EXPORT, "carol", "tender 3")
    with pytest.raises(RuntimeError):
        audited(log, CAROL, broken, target="tender 3")()
    assert len(log.events(ANN)) == 1


def test_the_csv_neutralises_formulas(log: AuditLog) -> None:
    log.record("=cmd|' /C calc'!A0", None, AuditAction.IMPORT, target="@SUM(A1)", detail="-2+3")
    text = events_csv(log.events(ANN)).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["When (UTC)", "Who", "Role", "Action", "Target", "Detail", "Outcome"]
    assert rows[1][1].startswith("'=") and rows[1][4].startswith("'@")
    assert rows[1][5].startswith("'-")


def test_day_range_and_count_text() -> None:
    since, until = day_range(date(2026, 3, 1), date(2026, 3, 2))
    assert since == datetime(2026, 3, 1, tzinfo=UTC)
    assert until == datetime(2026, 3, 3, tzinfo=UTC), "the last day counts whole"
    assert day_range(None, None) == (None, None)
    assert count_text(1) == "1 event, newest first."
    assert count_text(1000, limit=1000).startswith("The newest 1,000 events")
