"""Streaming runs (slow analysts), leases kept alive, and an analyst that becomes unavailable."""

from __future__ import annotations

import threading
import time

import pytest

from core.errors import AnalystUnavailable
from core.models import FilterResult, RatingResult, Tender, TenderStatus
from core.pipeline.stages import Pipeline
from core.pipeline.worker import Worker, run_until_idle
from core.profile.company import CompanyProfile, default_profile
from tests.fakes import InMemoryTenderStore, ScriptedAnalyst, tender, without_review


@pytest.fixture
def profile() -> CompanyProfile:
    return without_review(default_profile())


class SlowAnalyst(ScriptedAnalyst):
    """Scripted answers after a delay; records how many tenders were in flight at once."""

    def __init__(self, delay_s: float) -> None:
        super().__init__()
        self.delay_s = delay_s
        self.in_flight = 0
        self.max_in_flight = 0
        self._gauge = threading.Lock()

    def filter(self, tender: Tender, profile: CompanyProfile) -> FilterResult:
        with self._gauge:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            time.sleep(self.delay_s)
            return super().filter(tender, profile)
        finally:
            with self._gauge:
                self.in_flight -= 1


class FlakyEndpointAnalyst(ScriptedAnalyst):
    """Rating fails as 'unavailable' until `recover()` has been asked `down_for` times."""

    def __init__(self, down_for: int) -> None:
        super().__init__()
        self.down_for = down_for
        self.recover_calls = 0

    @property
    def down(self) -> bool:
        return self.recover_calls < self.down_for

    def rate(
        self, tender: Tender, profile: CompanyProfile, relevance: FilterResult
    ) -> RatingResult:
        if self.down:
            raise AnalystUnavailable("the endpoint is not answering")
        return super().rate(tender, profile, relevance)

    def recover(self) -> str | None:
        self.recover_calls += 1
        return "still down" if self.down else None


def test_streaming_keeps_the_concurrency_busy_and_finishes_everything(profile):
    store = InMemoryTenderStore([tender(f"relevant score=7 n{i}") for i in range(24)])
    analyst = SlowAnalyst(delay_s=0.05)
    pipeline = Pipeline(store, analyst, profile, concurrency=6, save_each_stage=True)
    report = pipeline.run_stream(lease_s=60)
    assert report.claimed == 24
    assert report.by_status == {"complete": 24}
    assert analyst.max_in_flight == 6, "a new tender starts as soon as a slot frees"
    assert all(s.status is TenderStatus.COMPLETE for s in store.states.values())


def test_streaming_stops_claiming_when_asked_and_finishes_what_it_holds(profile):
    store = InMemoryTenderStore([tender(f"relevant n{i}") for i in range(20)])
    pipeline = Pipeline(store, SlowAnalyst(0.02), profile, concurrency=4, save_each_stage=True)
    report = pipeline.run_stream(lease_s=60, should_stop=lambda: True)
    assert report.claimed == 0
    claimed_first = []

    def stop_after_first_claims() -> bool:
        claimed_first.append(1)
        return len(claimed_first) > 1

    report = pipeline.run_stream(lease_s=60, should_stop=stop_after_first_claims)
    assert report.claimed == 4, "one round of claims, then only the tenders in flight finish"
    counts = store.by_status()
    assert counts[TenderStatus.PENDING] == 16
    assert TenderStatus.PROCESSING not in counts


def test_leases_of_tenders_in_flight_are_extended(profile):
    store = InMemoryTenderStore([tender("relevant n1"), tender("relevant n2")])
    pipeline = Pipeline(store, SlowAnalyst(0.5), profile, concurrency=2, save_each_stage=True)
    pipeline.run_stream(lease_s=0.3)  # beats every 0.1 s while each tender takes 0.5 s
    assert set(store.extended) == {1, 2}
    assert len(store.extended) >= 4


def test_unavailable_analyst_puts_tenders_back_and_keeps_their_saved_stages(profile):
    store = InMemoryTenderStore([tender("relevant score=8"), tender("relevant score=9")])
    analyst = FlakyEndpointAnalyst(down_for=10)
    pipeline = Pipeline(store, analyst, profile, concurrency=2, save_each_stage=True)
    report = pipeline.run_stream(lease_s=60)
    assert report.unavailable == "the endpoint is not answering"
    for state in store.states.values():
        assert state.status is TenderStatus.PENDING, "put back, never failed"
        assert state.error is None
        assert state.filter is not None, "the filter result it had is kept"


def test_run_until_idle_waits_for_the_analyst_and_then_finishes(profile):
    store = InMemoryTenderStore([tender("relevant score=8"), tender("irrelevant thing")])
    analyst = FlakyEndpointAnalyst(down_for=2)
    heard: list[str | None] = []
    waits: list[float] = []
    total = run_until_idle(
        store,
        lambda: Pipeline(store, analyst, profile, concurrency=2, save_each_stage=True),
        batch_size=10,
        lease_s=60,
        on_unavailable=heard.append,
        recovery_wait_s=1.0,
        sleep=waits.append,
    )
    assert total.unavailable is None
    assert heard == ["the endpoint is not answering", "still down", None]
    assert waits == [1.0, 2.0], "the wait doubles between checks"
    assert store.states[1].status is TenderStatus.COMPLETE
    assert analyst.calls["filter"] == 2, "no stage was repeated after the outage"


def test_run_until_idle_gives_up_after_max_wait_with_work_still_queued(profile):
    store = InMemoryTenderStore([tender("relevant score=8")])
    analyst = FlakyEndpointAnalyst(down_for=1000)
    total = run_until_idle(
        store,
        lambda: Pipeline(store, analyst, profile, concurrency=1, save_each_stage=True),
        batch_size=10,
        lease_s=60,
        max_wait_s=10,
        recovery_wait_s=2.0,
        sleep=lambda s: None,
    )
    assert total.unavailable == "still down"
    assert store.states[1].status is TenderStatus.PENDING


def test_worker_holds_work_while_the_analyst_is_down_and_resumes_by_itself(profile):
    store = InMemoryTenderStore([tender("relevant score=8"), tender("relevant score=9")])
    analyst = FlakyEndpointAnalyst(down_for=3)
    banner: list[str | None] = []
    worker = Worker(
        store,
        lambda: Pipeline(store, analyst, profile, concurrency=2, save_each_stage=True),
        on_unavailable=banner.append,
        poll_s=0.05,
        recovery_wait_s=0.05,
    )
    worker.start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and store.by_status().get(TenderStatus.COMPLETE) != 2:
            time.sleep(0.02)
    finally:
        worker.stop()
    assert store.by_status() == {TenderStatus.COMPLETE: 2}
    assert banner[0] is None, "a stale banner from an earlier process is cleared at start"
    assert banner[1] == "the endpoint is not answering"
    assert banner[-1] is None, "the banner is cleared once the analyst answers again"
    assert TenderStatus.ERROR not in store.by_status()


def test_worker_restarts_a_streaming_run_when_settings_change(profile):
    store = InMemoryTenderStore([tender(f"relevant n{i}") for i in range(40)])
    version = {"value": 1}
    pipelines: list[Pipeline] = []

    def make() -> Pipeline:
        pipelines.append(
            Pipeline(store, SlowAnalyst(0.1), profile, concurrency=2, save_each_stage=True)
        )
        return pipelines[-1]

    worker = Worker(store, make, poll_s=0.05, config_version=lambda: version["value"])
    worker.start()
    try:
        time.sleep(0.3)
        version["value"] = 2  # e.g. a new endpoint saved in Settings
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and store.by_status().get(TenderStatus.PENDING):
            time.sleep(0.05)
    finally:
        worker.stop()
    assert len(pipelines) >= 2, "the edited settings took effect without a restart"
    assert TenderStatus.PENDING not in store.by_status()


def test_edited_settings_end_the_wait_for_a_down_analyst(profile):
    store = InMemoryTenderStore([tender("relevant score=8")])
    down = FlakyEndpointAnalyst(down_for=10_000)
    fixed = ScriptedAnalyst()
    version = {"value": 1}
    worker = Worker(
        store,
        lambda: Pipeline(
            store, down if version["value"] == 1 else fixed, profile, save_each_stage=True
        ),
        poll_s=0.05,
        recovery_wait_s=30.0,  # only the edit (and its wake-up) can end the wait in time
        config_version=lambda: version["value"],
    )
    worker.start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not down.recover_calls and not store.saved:
            time.sleep(0.02)
        version["value"] = 2  # e.g. the model name fixed in Settings, which wakes the worker
        worker.wake()
        while time.monotonic() < deadline and store.by_status().get(TenderStatus.COMPLETE) != 1:
            time.sleep(0.02)
    finally:
        worker.stop()
    assert store.by_status() == {TenderStatus.COMPLETE: 1}
    assert down.recover_calls == 0, "the old endpoint was not asked again"
