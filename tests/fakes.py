"""Fakes with real behaviour for unit tests: in-memory stores (tenders, decisions, accounts,
audit) that keep the storage layer's promises, and a scripted analyst."""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from core.access.audit import matches
from core.access.roles import CLI_ACTOR
from core.bootstrap import AppContext
from core.imports.service import load_demo
from core.models import (
    Account,
    AccountExists,
    AuthSession,
    BidDocument,
    Claim,
    Decision,
    DecisionConflict,
    FilterResult,
    LLMUsage,
    RatingResult,
    Recommendation,
    Role,
    StageOutcome,
    Tender,
    TenderState,
    TenderStatus,
    utcnow,
)
from core.pipeline.stages import BatchReport
from core.pipeline.worker import run_until_idle
from core.profile.company import CompanyProfile, ProfileStore, current_profile, save_profile


class InMemoryTenderStore:
    """Implements core.pipeline.stages.PipelineStore over dicts, with claims and leases."""

    def __init__(self, tenders: Sequence[Tender] = ()) -> None:
        self.states: dict[int, TenderState] = {}
        self.claimed_from: dict[int, TenderStatus] = {}
        self.saved: list[StageOutcome] = []
        self.extended: list[int] = []
        self._lock = threading.Lock()
        for i, tender in enumerate(tenders, start=1):
            stored = tender.model_copy(update={"id": i})
            self.states[i] = TenderState(tender=stored, status=TenderStatus.PENDING)

    def claim(self, limit: int, lease_s: float) -> list[Claim]:
        with self._lock:
            claims = []
            for tender_id, state in self.states.items():
                if len(claims) >= limit:
                    break
                if state.status in (TenderStatus.PENDING, TenderStatus.APPROVED):
                    self.claimed_from[tender_id] = state.status
                    claims.append(Claim(state=state.model_copy(), claimed_from=state.status))
                    state.status = TenderStatus.PROCESSING
            return claims

    def extend_leases(self, tender_ids: Sequence[int], lease_s: float) -> int:
        with self._lock:
            self.extended.extend(tender_ids)
            return sum(self.states[i].status is TenderStatus.PROCESSING for i in tender_ids)

    def save_outcomes(self, outcomes: Sequence[StageOutcome]) -> None:
        with self._lock:
            for outcome in outcomes:
                self.saved.append(outcome)
                state = self.states[outcome.tender_id]
                if outcome.filter is not None:
                    state.filter = outcome.filter
                if outcome.rating is not None:
                    state.rating = outcome.rating
                if outcome.bid is not None:
                    state.bid = outcome.bid
                if outcome.status is not None:
                    state.status = outcome.status
                    state.review_stage = outcome.review_stage
                    state.error = outcome.error
                    self.claimed_from.pop(outcome.tender_id, None)

    def release_stale(self, *, everything: bool = False) -> int:
        with self._lock:
            released = 0
            for tender_id, origin in list(self.claimed_from.items()):
                if everything:
                    self.states[tender_id].status = origin
                    del self.claimed_from[tender_id]
                    released += 1
            return released

    def get(self, tender_id: int) -> TenderState | None:
        with self._lock:
            state = self.states.get(tender_id)
            return state.model_copy(deep=True) if state is not None else None

    def review_queue(self) -> list[TenderState]:
        with self._lock:
            return [
                s.model_copy(deep=True)
                for s in self.states.values()
                if s.status is TenderStatus.NEEDS_REVIEW
            ]

    def add_state(self, state: TenderState) -> int:
        """Store an analysed tender as it stands (for review tests); returns its id."""
        with self._lock:
            tender_id = max(self.states, default=0) + 1
            stored = state.model_copy(deep=True)
            stored.tender = stored.tender.model_copy(update={"id": tender_id})
            self.states[tender_id] = stored
            return tender_id

    def move(self, tender_id: int, status: TenderStatus) -> None:
        """What the worker or another person does behind a decider's back."""
        with self._lock:
            self.states[tender_id].status = status

    def by_status(self) -> dict[TenderStatus, int]:
        counts: dict[TenderStatus, int] = {}
        for state in self.states.values():
            counts[state.status] = counts.get(state.status, 0) + 1
        return counts


class ScriptedAnalyst:
    """Answers from the tender title: 'relevant', 'score=7.5', 'boom-at-rate' etc.; counts calls."""

    name = "scripted"

    def __init__(self) -> None:
        self.calls: dict[str, int] = {"filter": 0, "rate": 0, "write": 0}
        self._lock = threading.Lock()

    def _count(self, step: str) -> None:
        with self._lock:
            self.calls[step] += 1

    def filter(self, tender: Tender, profile: CompanyProfile) -> FilterResult:
        self._count("filter")
        if "boom-at-filter" in tender.title:
            raise RuntimeError("filter exploded")
        relevant = "relevant" in tender.title and "irrelevant" not in tender.title
        confidence = 0.3 if "unsure" in tender.title else 0.9
        return FilterResult(
            is_relevant=relevant, confidence=confidence, reasoning="scripted", analyst=self.name
        )

    def rate(
        self, tender: Tender, profile: CompanyProfile, relevance: FilterResult
    ) -> RatingResult:
        self._count("rate")
        if "boom-at-rate" in tender.title:
            raise RuntimeError("rating exploded")
        score = 7.5
        for word in tender.title.split():
            if word.startswith("score="):
                score = float(word.removeprefix("score="))
        return RatingResult(
            overall_score=score,
            strategic_fit=score,
            win_probability=score,
            effort_required=5,
            strengths=["s"],
            risks=["r"],
            recommendation=Recommendation.BID if score >= 6 else Recommendation.NO_BID,
            analyst=self.name,
        )

    def write(
        self,
        tender: Tender,
        profile: CompanyProfile,
        relevance: FilterResult,
        rating: RatingResult,
    ) -> BidDocument:
        self._count("write")
        return BidDocument(
            executive_summary=f"Bid for {tender.title}",
            technical_approach="approach",
            value_proposition="value",
            timeline_estimate="timeline",
            analyst=self.name,
        )


def open_deadline(days: int = 90) -> str:
    """A deadline `days` from today as a portal writes it (YYYY-MM-DD): open whenever the
    test runs."""
    return (datetime.now(UTC) + timedelta(days=days)).date().isoformat()


# Open whenever the tests run: midnight UTC 45 days after the run started (one value per run,
# so two tenders built apart still share it).
DEFAULT_DEADLINE = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(
    days=45
)


def tender(title: str, **fields: object) -> Tender:
    base: dict[str, object] = {
        "source": "test",
        "title": title,
        "buyer": "Test Council",
        "deadline": DEFAULT_DEADLINE,
    }
    base.update(fields)
    return Tender.model_validate(base)


def usage_row(**fields: object) -> LLMUsage:
    """A usage row (one HTTP attempt) with sensible defaults; override any field."""
    values: dict[str, object] = {
        "call_id": "c1",
        "step": "rate",
        "attempt": 1,
        "mode": "json_schema",
        "model": "gpt-4o-mini",
        "base_url": "https://api.example.test/v1",
        "status": "ok",
        "prompt_tokens": 1000,
        "completion_tokens": 234,
        "latency_ms": 800.0,
        "cost": 0.0123,
        "called_at": datetime.now(UTC) - timedelta(minutes=2),
    }
    return LLMUsage(**(values | fields))  # type: ignore[arg-type]


def without_review(profile: CompanyProfile) -> CompanyProfile:
    """`profile` with a routing policy that sends nothing to review (results route themselves).

    Verdicts below 50% confidence count as not relevant. For tests of the pipeline's
    mechanics; routing has its own tests.
    """
    policy = profile.thresholds.model_copy(
        update={
            "min_relevance_confidence": 0.5,
            "auto_accept_confidence": 0.5,
            "score_review_band": 0.0,
            "every_bid_needs_approval": False,
        }
    )
    return profile.model_copy(update={"thresholds": policy})


def route_without_review(store: ProfileStore) -> None:
    """Store a profile version whose policy sends nothing to review."""
    save_profile(store, without_review(current_profile(store)))


def run_all(ctx: AppContext) -> BatchReport:
    """Analyse every claimable tender of the context, as `run` does."""
    return run_until_idle(
        ctx.tenders,
        ctx.make_pipeline,
        batch_size=ctx.settings.worker_batch_size,
        lease_s=ctx.settings.worker_lease_s,
    )


def auto_accept_from(ctx: AppContext, level: float) -> None:
    """Store the default profile with this auto-accept level (stricter: more waits for review)."""
    profile = current_profile(ctx.state)
    policy = profile.thresholds.model_copy(update={"auto_accept_confidence": level})
    save_profile(ctx.state, profile.model_copy(update={"thresholds": policy}))


def analyse_demo(ctx: AppContext) -> AppContext:
    """The built-in demo tenders, dated by the context's clock, analysed until every one rests."""
    load_demo(ctx.tenders, actor=CLI_ACTOR, now=ctx.clock())
    run_all(ctx)
    return ctx


class InMemoryAuditStore:
    """Implements core.access.audit.AuditStore over a list: append-only, newest first when read."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def append(self, row: dict[str, Any]) -> int:
        with self._lock:
            new_id = len(self.rows) + 1
            self.rows.append({"id": new_id, **row})
            return new_id

    def list_events(
        self,
        *,
        actor: str | None,
        action: str | None,
        since: datetime | None,
        until: datetime | None,
        text: str | None,
        limit: int,
    ) -> list[dict[str, Any]]:
        with self._lock:
            kept = [
                dict(row)
                for row in self.rows
                if matches(row, actor=actor, action=action, since=since, until=until, text=text)
            ]
        kept.sort(key=lambda row: (row["at"], row["id"]), reverse=True)
        return kept[:limit]


class InMemoryDecisionStore:
    """Implements core.review.service.DecisionStore over a list, as storage.decisions does:
    append-only, and recording moves the tender in `tenders` only if it is still where the
    decider saw it."""

    def __init__(self, tenders: InMemoryTenderStore) -> None:
        self.tenders = tenders
        self.rows: list[Decision] = []
        self._lock = threading.Lock()

    def record(self, decision: Decision, allowed_from: Collection[TenderStatus]) -> Decision:
        with self._lock, self.tenders._lock:
            state = self.tenders.states.get(decision.tender_id)
            if state is None or state.status not in allowed_from:
                raise DecisionConflict(
                    state.status if state else None, self._latest(decision.tender_id)
                )
            saved = decision.model_copy(
                deep=True, update={"id": len(self.rows) + 1, "status_before": state.status}
            )
            self.rows.append(saved)
            waits = saved.status_after is TenderStatus.NEEDS_REVIEW
            state.status = saved.status_after
            state.review_stage = saved.stage if waits else None
            state.error = None
            return saved.model_copy(deep=True)

    def history(self, tender_id: int) -> list[Decision]:
        with self._lock:
            return [d.model_copy(deep=True) for d in self.rows if d.tender_id == tender_id]

    def latest(self, tender_id: int) -> Decision | None:
        with self._lock:
            return self._latest(tender_id)

    def _latest(self, tender_id: int) -> Decision | None:
        mine = [d for d in self.rows if d.tender_id == tender_id]
        return mine[-1].model_copy(deep=True) if mine else None


class InMemoryAccountStore:
    """Implements core.access.accounts.AccountStore over dicts, as storage.accounts does: a
    taken username raises AccountExists; a disable or a new password ends open sessions."""

    def __init__(self, clock: Callable[[], datetime] = utcnow) -> None:
        self.accounts: dict[str, Account] = {}
        self.sessions: dict[str, AuthSession] = {}
        self.failures: list[tuple[str, datetime]] = []
        self._clock = clock
        self._lock = threading.Lock()

    def count(self) -> int:
        return len(self.accounts)

    def add(self, account: Account, *, only_if_none: bool = False) -> Account:
        with self._lock:
            if (only_if_none and self.accounts) or account.username in self.accounts:
                raise AccountExists(account.username)
            self.accounts[account.username] = account.model_copy()
            return account

    def get(self, username: str) -> Account | None:
        account = self.accounts.get(username)
        return account.model_copy() if account is not None else None

    def by_email(self, email: str) -> Account | None:
        found = [a for a in self.accounts.values() if a.email and a.email.lower() == email.lower()]
        found.sort(key=lambda a: a.created_at)
        return found[0].model_copy() if found else None

    def all(self) -> list[Account]:
        return [self.accounts[name].model_copy() for name in sorted(self.accounts)]

    def count_enabled(self, role: Role) -> int:
        return sum(a.role is role and a.enabled for a in self.accounts.values())

    def update(self, username: str, **changes: object) -> Account | None:
        with self._lock:
            account = self.accounts.get(username)
            if account is None:
                return None
            self.accounts[username] = account.model_copy(update=changes)
            if changes.get("disabled_at") is not None or "password_hash" in changes:
                for token, session in self.sessions.items():
                    if session.username == username and session.revoked_at is None:
                        self.sessions[token] = session.model_copy(
                            update={"revoked_at": self._clock()}
                        )
            return self.accounts[username].model_copy()

    def add_session(self, session: AuthSession) -> None:
        self.sessions[session.token_hash] = session.model_copy()

    def session(self, token_hash: str) -> AuthSession | None:
        session = self.sessions.get(token_hash)
        return session.model_copy() if session is not None else None

    def touch_session(self, token_hash: str, at: datetime) -> None:
        if token_hash in self.sessions:
            self.sessions[token_hash] = self.sessions[token_hash].model_copy(
                update={"last_seen_at": at}
            )

    def revoke_session(self, token_hash: str, at: datetime) -> bool:
        session = self.sessions.get(token_hash)
        if session is None or session.revoked_at is not None:
            return False
        self.sessions[token_hash] = session.model_copy(update={"revoked_at": at})
        return True

    def add_failure(self, username: str, at: datetime, source: str = "") -> None:
        self.failures.append((username, at, source))

    def failures_since(self, username: str, since: datetime, source: str = "") -> list[datetime]:
        return sorted(
            at
            for name, at, where in self.failures
            if (name, where) == (username, source) and at > since
        )

    def recent_failures(self, since: datetime) -> list[tuple[str, str, datetime]]:
        found = [(name, where, at) for name, at, where in self.failures if at > since]
        return sorted(found, key=lambda row: row[2])

    def clear_failures(
        self, username: str, before: datetime | None = None, source: str | None = None
    ) -> None:
        def mine(name: str, where: str) -> bool:
            return name == username and (source is None or where == source)

        self.failures = [
            (name, at, where)
            for name, at, where in self.failures
            if not mine(name, where) and (before is None or at >= before)
        ]


class Clock:
    """A "now" that tests move by hand; starts at the real time, so nothing is pinned to a
    calendar date."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


# What an exported bid must never tell the buyer: the team's triage (issue 17's list).
BUYER_NEVER_READS = (
    "/ 10",
    "/10",
    "Win probability",
    "win probability",
    "Strategic fit",
    "preferred range",
    "to prepare",
    "CPV",
    "confidence",
    "analyst",
    "Model",
    "Prompt version",
)


def pdf_bytes(pages: list[list[str]]) -> bytes:
    """A small, valid PDF: one page per list of lines (Helvetica), written as a PDF writer
    would, with a cross-reference table; pypdf reads its text back line by line."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    objects: list[bytes] = []
    count = len(pages)
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(count))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for i, lines in enumerate(pages):
        body = "BT /F1 11 Tf 14 TL 50 780 Td " + " ".join(f"({escape(x)}) ' " for x in lines)
        stream = (body + "ET").encode("latin-1")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {5 + 2 * i} 0 R "
            "/Resources << /Font << /F1 3 0 R >> >> >>".encode()
        )
        objects.append(
            b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream"
        )
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)
