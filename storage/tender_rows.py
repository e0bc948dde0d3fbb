"""How tenders and their analysis map to and from table rows (Arrow batches in, dicts out)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import duckdb
import pyarrow as pa
from pydantic import BaseModel

from core.models import (
    RESTING_STATUSES,
    BidDocument,
    FilterResult,
    NoticeType,
    RatingResult,
    Tender,
    TenderState,
    TenderStatus,
)

TENDER_COLUMNS = (
    "source",
    "source_id",
    "source_file",
    "dedupe_key",
    "title",
    "description",
    "buyer",
    "value_amount",
    "value_low",
    "value_currency",
    "deadline",
    "cpv_codes",
    "country",
    "region",
    "contact",
    "language",
    "url",
    "raw",
    "notice_type",
    "form_type",
    "procedure_id",
    "published_at",
    "classifications",
    "lots",
    "documents",
)
_TENDER_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("source_id", pa.string()),
        ("source_file", pa.string()),
        ("dedupe_key", pa.string()),
        ("title", pa.string()),
        ("description", pa.string()),
        ("buyer", pa.string()),
        ("value_amount", pa.float64()),
        ("value_low", pa.float64()),
        ("value_currency", pa.string()),
        ("deadline", pa.timestamp("us", tz="UTC")),
        ("cpv_codes", pa.list_(pa.string())),
        ("country", pa.string()),
        ("region", pa.string()),
        ("contact", pa.string()),
        ("language", pa.string()),
        ("url", pa.string()),
        ("raw", pa.string()),
        ("notice_type", pa.string()),
        ("form_type", pa.string()),
        ("procedure_id", pa.string()),
        ("published_at", pa.timestamp("us", tz="UTC")),
        ("classifications", pa.string()),
        ("lots", pa.string()),
        ("documents", pa.string()),
    ]
)
# Statuses with no automatic work due, as SQL literals: `status IN {RESTING_SQL}`.
RESTING_SQL = tuple(sorted(s.value for s in RESTING_STATUSES))

# One row per tender with every analysis field; the newest bid version only.
STATE_SELECT = """
SELECT
    t.id, t.source, t.source_id, t.title, t.description, t.buyer, t.value_amount, t.value_low,
    t.value_currency, t.deadline, t.cpv_codes, t.country, t.region, t.contact, t.language,
    t.url, t.raw,
    t.notice_type, t.form_type, t.procedure_id, t.published_at, t.classifications, t.lots,
    t.documents,
    t.status, t.error, t.review_stage,
    f.is_relevant, f.confidence, f.categories, f.reasoning AS filter_reasoning, f.evidence,
    f.analyst AS filter_analyst, f.model AS filter_model,
    f.prompt_version AS filter_prompt_version, f.created_at AS filter_created_at,
    r.overall_score, r.strategic_fit, r.win_probability, r.effort_required, r.strengths,
    r.risks, r.recommendation, r.reasoning AS rating_reasoning, r.analyst AS rating_analyst,
    r.model AS rating_model, r.prompt_version AS rating_prompt_version,
    r.created_at AS rating_created_at,
    b.executive_summary, b.technical_approach, b.value_proposition, b.timeline_estimate,
    b.analyst AS bid_analyst, b.model AS bid_model, b.prompt_version AS bid_prompt_version,
    b.created_at AS bid_created_at
FROM tenders t
LEFT JOIN filter_results f ON f.tender_id = t.id
LEFT JOIN ratings r ON r.tender_id = t.id
LEFT JOIN (
    SELECT * FROM bids QUALIFY row_number() OVER (PARTITION BY tender_id ORDER BY version DESC) = 1
) b ON b.tender_id = t.id
"""


def dict_rows(result: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    columns = [d[0] for d in result.description or []]
    return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]


def tender_row(t: Tender, source_file: str | None) -> dict[str, Any]:
    """A tender as the values of the tenders table's imported columns."""
    return {
        "source": t.source,
        "source_id": t.source_id,
        "source_file": source_file,
        "dedupe_key": t.dedupe_key,
        "title": t.title,
        "description": t.description,
        "buyer": t.buyer,
        "value_amount": t.value_amount,
        "value_low": t.value_low,
        "value_currency": t.value_currency,
        "deadline": t.deadline,
        "cpv_codes": list(t.cpv_codes),
        "country": t.country,
        "region": t.region,
        "contact": t.contact,
        "language": t.language,
        "url": t.url,
        "raw": json.dumps(t.raw, ensure_ascii=False, default=str),
        "notice_type": t.notice_type.value,
        "form_type": t.form_type,
        "procedure_id": t.procedure_id,
        "published_at": t.published_at,
        "classifications": _json_list(t.classifications),
        "lots": _json_list(t.lots),
        "documents": _json_list(t.documents),
    }


def tenders_to_arrow(tenders: Sequence[Tender], source_file: str | None) -> pa.Table:
    columns: dict[str, list[Any]] = {name: [] for name in TENDER_COLUMNS}
    for t in tenders:
        for name, value in tender_row(t, source_file).items():
            columns[name].append(value)
    return pa.Table.from_pydict(columns, schema=_TENDER_SCHEMA)


def _json_list(items: Sequence[BaseModel]) -> str:
    return json.dumps([item.model_dump(mode="json") for item in items], ensure_ascii=False)


def _loads_list(value: Any) -> list[Any]:
    loaded = json.loads(value) if isinstance(value, str) and value else value
    return loaded if isinstance(loaded, list) else []


def provenance(result: FilterResult | RatingResult | BidDocument) -> dict[str, Any]:
    return {
        "analyst": result.analyst,
        "model": result.model,
        "prompt_version": result.prompt_version,
        "created_at": result.created_at,
    }


def filters_to_arrow(rows: Sequence[tuple[int, FilterResult]]) -> pa.Table:
    return pa.Table.from_pylist(
        [
            {
                "tender_id": tender_id,
                "is_relevant": r.is_relevant,
                "confidence": r.confidence,
                "categories": list(r.categories),
                "reasoning": r.reasoning,
                "evidence": list(r.evidence),
                **provenance(r),
            }
            for tender_id, r in rows
        ]
    )


def ratings_to_arrow(rows: Sequence[tuple[int, RatingResult]]) -> pa.Table:
    return pa.Table.from_pylist(
        [
            {
                "tender_id": tender_id,
                "overall_score": r.overall_score,
                "strategic_fit": r.strategic_fit,
                "win_probability": r.win_probability,
                "effort_required": r.effort_required,
                "strengths": list(r.strengths),
                "risks": list(r.risks),
                "recommendation": r.recommendation.value,
                "reasoning": r.reasoning,
                **provenance(r),
            }
            for tender_id, r in rows
        ]
    )


def _provenance_from(row: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {
        name: row[f"{prefix}_{name}"]
        for name in ("analyst", "model", "prompt_version", "created_at")
    }


def row_to_state(row: dict[str, Any]) -> TenderState:
    raw = row["raw"]
    tender = Tender(
        id=row["id"],
        source=row["source"],
        source_id=row["source_id"],
        title=row["title"],
        description=row["description"] or "",
        buyer=row["buyer"],
        value_amount=row["value_amount"],
        value_low=row["value_low"],
        value_currency=row["value_currency"],
        deadline=row["deadline"],
        cpv_codes=list(row["cpv_codes"] or []),
        country=row["country"],
        region=row["region"],
        contact=row["contact"],
        language=row["language"],
        url=row["url"],
        raw=json.loads(raw) if isinstance(raw, str) and raw else {},
        notice_type=row["notice_type"] or NoticeType.TENDER,
        form_type=row["form_type"],
        procedure_id=row["procedure_id"],
        published_at=row["published_at"],
        classifications=_loads_list(row["classifications"]),
        lots=_loads_list(row["lots"]),
        documents=_loads_list(row["documents"]),
    )
    filter_result = None
    if row["is_relevant"] is not None:
        filter_result = FilterResult(
            is_relevant=row["is_relevant"],
            confidence=row["confidence"],
            categories=list(row["categories"] or []),
            reasoning=row["filter_reasoning"] or "",
            evidence=list(row["evidence"] or []),
            **_provenance_from(row, "filter"),
        )
    rating = None
    if row["overall_score"] is not None:
        rating = RatingResult(
            overall_score=row["overall_score"],
            strategic_fit=row["strategic_fit"],
            win_probability=row["win_probability"],
            effort_required=row["effort_required"],
            strengths=list(row["strengths"] or []),
            risks=list(row["risks"] or []),
            recommendation=row["recommendation"],
            reasoning=row["rating_reasoning"] or "",
            **_provenance_from(row, "rating"),
        )
    bid = None
    if row["executive_summary"] is not None:
        bid = BidDocument(
            executive_summary=row["executive_summary"],
            technical_approach=row["technical_approach"],
            value_proposition=row["value_proposition"],
            timeline_estimate=row["timeline_estimate"],
            **_provenance_from(row, "bid"),
        )
    return TenderState(
        tender=tender,
        status=TenderStatus(row["status"]),
        error=row["error"],
        review_stage=row["review_stage"],
        filter=filter_result,
        rating=rating,
        bid=bid,
    )


def load_states(cur: duckdb.DuckDBPyConnection, tender_ids: Sequence[int]) -> list[TenderState]:
    """The tenders with these ids, with their analysis, in id order."""
    if not tender_ids:
        return []
    result = cur.execute(
        STATE_SELECT + " WHERE t.id IN (SELECT unnest(?::BIGINT[])) ORDER BY t.id",
        [list(tender_ids)],
    )
    return [row_to_state(row) for row in dict_rows(result)]


def insert_or_replace(cur: duckdb.DuckDBPyConnection, table: str, rows: pa.Table) -> None:
    """Insert `rows` into `table`, replacing rows with the same key."""
    cur.register("incoming_results", rows)
    try:
        columns = ", ".join(rows.column_names)
        cur.execute(
            f"INSERT OR REPLACE INTO {table} ({columns}) SELECT {columns} FROM incoming_results"
        )
    finally:
        cur.unregister("incoming_results")
