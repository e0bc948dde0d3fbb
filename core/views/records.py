"""Flat, JSON-ready records of tenders with their analysis (CLI `tenders --json`, exports)."""

from __future__ import annotations

from typing import Any

from core.models import TenderState


def tender_record(state: TenderState) -> dict[str, Any]:
    tender = state.tender
    record: dict[str, Any] = {
        "id": tender.id,
        "source": tender.source,
        "source_id": tender.source_id,
        "title": tender.title,
        "description": tender.description,
        "buyer": tender.buyer,
        "value_amount": tender.value_amount,
        "value_low": tender.value_low,
        "value_currency": tender.value_currency,
        "deadline": tender.deadline.isoformat() if tender.deadline else None,
        "cpv_codes": list(tender.cpv_codes),
        "country": tender.country,
        "region": tender.region,
        "contact": tender.contact,
        "language": tender.language,
        "url": tender.url,
        "notice_type": tender.notice_type.value,
        "form_type": tender.form_type,
        "procedure_id": tender.procedure_id,
        "published_at": tender.published_at.isoformat() if tender.published_at else None,
        "classifications": [f"{c.scheme}:{c.code}" for c in tender.classifications],
        "lots": len(tender.lots),
        "status": state.status.value,
        "error": state.error,
        "analyst": None,
        "has_bid": state.bid is not None,
    }
    if state.filter is not None:
        record.update(
            analyst=state.filter.analyst,
            is_relevant=state.filter.is_relevant,
            confidence=round(state.filter.confidence, 3),
            categories=list(state.filter.categories),
            relevance_reasoning=state.filter.reasoning,
            evidence=list(state.filter.evidence),
        )
    if state.rating is not None:
        record.update(
            analyst=state.rating.analyst,
            overall_score=state.rating.overall_score,
            strategic_fit=state.rating.strategic_fit,
            win_probability=state.rating.win_probability,
            effort_required=state.rating.effort_required,
            strengths=list(state.rating.strengths),
            risks=list(state.rating.risks),
            recommendation=state.rating.recommendation.value,
        )
    return record
