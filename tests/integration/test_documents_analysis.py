"""A tender's documents in its analysis: re-analysed with a specification that asks for what
the company lacks, it is rated lower with those requirements named, and its bid answers the
requirements per weighted criterion, citing refs."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.access.roles import CLI_ACTOR, Actor
from core.bids.editor import BidEditError, BidEditor, NothingChanged
from core.bootstrap import open_context
from core.documents.answers import HEADING
from core.models import Role, TenderStatus
from storage.db import close_database
from tests.fakes import pdf_bytes, route_without_review, run_all
from tests.unit.test_requirements import SPEC

ASKS_MORE = [
    *SPEC[:2],
    ["2.12 The supplier must hold ISO 9001 certification.", *SPEC[2]],
]


def test_a_reanalysed_tender_is_rated_and_written_with_its_compliance_matrix(
    tmp_path: Path,
) -> None:
    from core.imports.service import load_demo

    db = tmp_path / "tw.duckdb"
    ctx = open_context(db_path=db)
    try:
        route_without_review(ctx.state)
        load_demo(ctx.tenders, actor=CLI_ACTOR, now=ctx.clock())
        run_all(ctx)
        done = next(s for s in ctx.tenders.all_states() if s.status is TenderStatus.COMPLETE)
        tender_id = done.tender.id or 0
        before = done.rating
        assert before is not None and done.bid is not None
        assert HEADING not in done.bid.technical_approach

        ctx.documents().add(tender_id, "specification.pdf", pdf_bytes(ASKS_MORE), CLI_ACTOR)
        assert ctx.controls().reanalyse([tender_id], actor=CLI_ACTOR) == 1
        run_all(ctx)
        after = ctx.tenders.get(tender_id)
        assert after is not None and after.rating is not None
        iso = next(r for r in ctx.matrix().rows(tender_id) if "ISO 9001" in r.text)
        assert f"{iso.ref} requires ISO 9001, which our profile does not list." in (
            after.rating.risks
        )
        assert after.rating.win_probability < before.win_probability
        # The draft a person may have edited is kept; the analyst writes the answer to the
        # matrix when asked to write the technical approach again.
        editor = BidEditor.from_context(ctx)
        latest = editor.versions(tender_id)[-1]
        carol = Actor(name="carol", role=Role.BID_MANAGER)
        version = editor.regenerate_section(tender_id, latest.version, "technical_approach", carol)
        approach = version.document.technical_approach
        assert HEADING in approach and "#### Quality (60%)" in approach
        assert f"({iso.ref}, mandatory)" in approach
        # The team answers the ISO 9001 row in the matrix; one criterion is written again.
        ctx.accounts().add(CLI_ACTOR, "carol", "Carol Diaz", Role.BID_MANAGER, "tender season 26")
        ctx.matrix().update(tender_id, iso.ref, carol, status="compliant", response="Certified.")
        quality = next(r for r in ctx.matrix().rows(tender_id) if r.text == "Quality")
        newer = editor.regenerate_criterion(tender_id, version.version, quality.ref, carol)
        assert f"Certified. ({iso.ref}, mandatory)" in newer.document.technical_approach
        assert newer.note == (
            f"Regenerated the answer to Quality ({quality.ref}) from the compliance matrix"
        )
        with pytest.raises(NothingChanged, match="the same as before"):
            editor.regenerate_criterion(tender_id, newer.version, quality.ref, carol)
        with pytest.raises(BidEditError, match="no evaluation criterion R-999"):
            editor.regenerate_criterion(tender_id, newer.version, "R-999", carol)
        others = [s for s in ctx.tenders.all_states() if s.tender.id != tender_id]
        assert all(HEADING not in (s.bid.technical_approach if s.bid else "") for s in others)
    finally:
        close_database(db)
