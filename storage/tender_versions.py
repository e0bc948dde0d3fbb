"""Later notices of a stored procedure become new versions of its tender, not duplicates.

A notice with a `procedure_id` (OCDS ocid, eForms ContractFolderID, SAM.gov solicitation…)
that matches a stored tender of the same source updates that tender in place, merged over it
(`Tender.merged_over`): portals publish partial later notices (corrections, cancellation stubs),
so what a notice leaves out keeps its stored value. What changed is kept in `tender_versions`;
when the substance changed (deadline, value, scope, notice type) the tender's relevance and
rating are forgotten and it is queued for analysis again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import duckdb

from core.models import SUBSTANTIVE_FIELDS, ImportCounts, Tender, TenderVersion
from storage.db import Database
from storage.tenders import TENDER_COLUMNS, TenderRepository, tender_row

Key = tuple[str, str]
_EARLIEST = datetime.min.replace(tzinfo=UTC)
# Columns a new version rewrites (the source stays; the file is the newest one).
_UPDATED = tuple(c for c in TENDER_COLUMNS if c != "source")


def import_tenders(
    db: Database, tenders: TenderRepository, incoming: Sequence[Tender], source_file: str | None
) -> ImportCounts:
    """Store new tenders, update stored procedures with later notices, skip duplicates."""
    groups: dict[Key, list[Tender]] = {}
    plain: list[Tender] = []
    for tender in incoming:
        if tender.procedure_id:
            groups.setdefault((tender.source, tender.procedure_id), []).append(tender)
        else:
            plain.append(tender)
    for notices in groups.values():
        notices.sort(key=lambda t: t.published_at or _EARLIEST)  # oldest first
    known = set(_stored_procedures(db, list(groups)))
    firsts = [notices[0] for key, notices in groups.items() if key not in known]
    new, duplicates = tenders.add_tenders(plain + firsts, source_file=source_file)
    if not groups:
        return ImportCounts(new=new, duplicates=duplicates)

    stored = _stored_procedures(db, list(groups))
    seen = _fingerprints(db, [stored[key] for key in known if key in stored])
    applied: list[tuple[int, str]] = []
    updated = 0
    for key, notices in groups.items():
        tender_id = stored.get(key)
        if tender_id is None:  # its first notice was a duplicate of a tender stored otherwise
            duplicates += len(notices) - (key not in known)
            continue
        mine = seen.setdefault(tender_id, set())
        # the oldest notice of a new procedure was just inserted; the rest update it
        later = notices if key in known else notices[1:]
        if key not in known:
            first = notice_fingerprint(notices[0])
            mine.add(first)
            applied.append((tender_id, first))
        for notice in later:
            fingerprint = notice_fingerprint(notice)
            if fingerprint in mine:
                duplicates += 1  # this very notice was applied before: importing it again
                continue
            if _apply(db, tenders, tender_id, notice, source_file):
                updated += 1
            else:
                duplicates += 1
            mine.add(fingerprint)
            applied.append((tender_id, fingerprint))
    _record_fingerprints(db, applied)
    return ImportCounts(new=new, duplicates=duplicates, updated=updated)


def notice_fingerprint(notice: Tender) -> str:
    """What a notice says, as a hash: the same release or notice imported again has the same."""
    payload = notice.model_dump_json(exclude={"id"}).encode("utf-8")
    return hashlib.sha256(payload).hexdigest()[:32]


def _fingerprints(db: Database, tender_ids: Sequence[int]) -> dict[int, set[str]]:
    """The notices already applied to each of these tenders."""
    if not tender_ids:
        return {}
    rows = (
        db.cursor()
        .execute(
            "SELECT tender_id, fingerprint FROM tender_notices "
            "WHERE tender_id IN (SELECT unnest(?::BIGINT[]))",
            [sorted(set(tender_ids))],
        )
        .fetchall()
    )
    found: dict[int, set[str]] = {}
    for tender_id, fingerprint in rows:
        found.setdefault(int(tender_id), set()).add(fingerprint)
    return found


def _record_fingerprints(db: Database, applied: Sequence[tuple[int, str]]) -> None:
    if not applied:
        return
    ids = [tender_id for tender_id, _ in applied]
    prints = [fingerprint for _, fingerprint in applied]

    def write(cur: duckdb.DuckDBPyConnection) -> None:
        cur.execute(
            "INSERT INTO tender_notices (tender_id, fingerprint) "
            "SELECT unnest(?::BIGINT[]), unnest(?::VARCHAR[]) ON CONFLICT DO NOTHING",
            [ids, prints],
        )

    db.write(write)


def versions(db: Database, tender_id: int) -> list[TenderVersion]:
    """Every update of a tender by a later notice, oldest first."""
    rows = (
        db.cursor()
        .execute(
            "SELECT tender_id, version, changes, source_file, imported_at, reanalysed "
            "FROM tender_versions WHERE tender_id = ? ORDER BY version",
            [tender_id],
        )
        .fetchall()
    )
    return [
        TenderVersion(
            tender_id=r[0],
            version=r[1],
            changes=json.loads(r[2]),
            source_file=r[3],
            imported_at=r[4],
            reanalysed=r[5],
        )
        for r in rows
    ]


def _stored_procedures(db: Database, keys: Sequence[Key]) -> dict[Key, int]:
    if not keys:
        return {}
    rows = (
        db.cursor()
        .execute(
            "SELECT source, procedure_id, min(id) FROM tenders "
            "WHERE procedure_id IN (SELECT unnest(?::VARCHAR[])) GROUP BY source, procedure_id",
            [sorted({pid for _, pid in keys})],
        )
        .fetchall()
    )
    wanted = set(keys)
    return {(s, p): int(i) for s, p, i in rows if (s, p) in wanted}


def _apply(
    db: Database,
    tenders: TenderRepository,
    tender_id: int,
    notice: Tender,
    source_file: str | None,
) -> bool:
    """Merge `notice` over tender `tender_id` as its newest version; False when it changes
    nothing."""
    state = tenders.get(tender_id)
    if state is None:
        return False
    current = state.tender
    if notice.published_at and current.published_at and notice.published_at < current.published_at:
        return False  # an older notice than the one stored: nothing new
    merged = notice.merged_over(current)
    changes = merged.changes_from(current)
    if not changes:
        return False
    substantive = bool(changes.keys() & SUBSTANTIVE_FIELDS)
    row = tender_row(merged, source_file)

    def write(cur: duckdb.DuckDBPyConnection) -> None:
        assignments = ", ".join(f"{column} = ?" for column in _UPDATED)
        values: list[Any] = [row[column] for column in _UPDATED]
        version = cur.execute(
            f"UPDATE tenders SET {assignments}, version = coalesce(version, 1) + 1 "
            "WHERE id = ? RETURNING version, status",
            [*values, tender_id],
        ).fetchone()
        assert version is not None
        reanalyse = substantive and version[1] != "processing"
        if reanalyse:
            cur.execute("DELETE FROM filter_results WHERE tender_id = ?", [tender_id])
            cur.execute("DELETE FROM ratings WHERE tender_id = ?", [tender_id])
            cur.execute(
                "UPDATE tenders SET status = 'pending', review_stage = NULL, error = NULL, "
                "finished_at = NULL, status_at = now() WHERE id = ?",
                [tender_id],
            )
        cur.execute(
            "INSERT INTO tender_versions (tender_id, version, changes, source_file, reanalysed) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                tender_id,
                version[0],
                json.dumps(changes, ensure_ascii=False),
                source_file,
                reanalyse,
            ],
        )

    db.write(write)
    return True
