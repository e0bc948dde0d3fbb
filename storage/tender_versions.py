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
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import duckdb
import pyarrow as pa

from core.models import SUBSTANTIVE_FIELDS, ImportCounts, Tender, TenderVersion
from storage.db import Database
from storage.tender_rows import TENDER_COLUMNS, tender_row
from storage.tenders import TenderRepository

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
    known = _stored_procedures(db, list(groups))
    _join_related(groups, known)
    known.update(_stored_related(db, {k: v for k, v in groups.items() if k not in known}))
    for notices in groups.values():
        notices.sort(key=lambda t: t.published_at or _EARLIEST)  # oldest first
    # A new procedure's tender is its oldest notice, under the procedure's id.
    firsts = [_under(notices[0], key[1]) for key, notices in groups.items() if key not in known]
    new, duplicates = tenders.add_tenders(plain + firsts, source_file=source_file)
    if not groups:
        return ImportCounts(new=new, duplicates=duplicates)

    stored = {**_stored_procedures(db, [key for key in groups if key not in known]), **known}
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


def _under(notice: Tender, procedure_id: str) -> Tender:
    if notice.procedure_id == procedure_id:
        return notice
    return notice.model_copy(update={"procedure_id": procedure_id})


def _join_related(groups: dict[Key, list[Tender]], known: Mapping[Key, int]) -> None:
    """Put notices that name another notice of this batch (`related_notices`, matched to its
    `source_id`) in that notice's procedure, whatever procedure ids the two give.

    A procedure already stored stays the one the others join; otherwise the notice named does.
    """
    if not any(notice.related_notices for notices in groups.values() for notice in notices):
        return
    named: dict[tuple[str, str], Key] = {}
    for key, notices in groups.items():
        for notice in notices:
            if notice.source_id:
                named.setdefault((notice.source, notice.source_id), key)
    parent = {key: key for key in groups}

    def root(key: Key) -> Key:
        while parent[key] != key:
            key = parent[key]
        return key

    for key, notices in groups.items():
        for notice in notices:
            for number in notice.related_notices:
                other = named.get((notice.source, number))
                if other is None:
                    continue
                mine, theirs = root(key), root(other)
                if mine == theirs:
                    continue
                if mine in known and theirs not in known:
                    parent[theirs] = mine
                else:
                    parent[mine] = theirs
    for key in list(groups):
        top = root(key)
        if top != key:
            groups[top].extend(groups.pop(key))


def _stored_related(db: Database, groups: Mapping[Key, list[Tender]]) -> dict[Key, int]:
    """The stored tender each new procedure belongs to through the notices it names.

    A notice that names a stored notice (its `source_id` is among `related_notices`) follows
    it; a stored notice whose procedure is named after a notice of the batch (an award read
    before its contract notice) came from it.
    """
    related = {n for notices in groups.values() for t in notices for n in t.related_notices}
    # A notice named by its own procedure id was found already if it is stored (OCDS ocids).
    own = {
        t.source_id
        for notices in groups.values()
        for t in notices
        if t.source_id and t.source_id != t.procedure_id
    }
    if not related and not own:
        return {}
    rows = (
        db.cursor()
        .execute(
            "SELECT source, source_id, procedure_id, id FROM tenders "
            "WHERE source_id IN (SELECT unnest(?::VARCHAR[])) "
            "OR procedure_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY id",
            [sorted(related), sorted(own)],
        )
        .fetchall()
    )
    if not rows:
        return {}
    by_number: dict[tuple[str, str], int] = {}
    by_procedure: dict[tuple[str, str], int] = {}
    for source, source_id, procedure_id, tender_id in rows:
        if source_id:
            by_number.setdefault((source, source_id), int(tender_id))
        if procedure_id:
            by_procedure.setdefault((source, procedure_id), int(tender_id))
    linked: dict[Key, int] = {}
    for key, notices in groups.items():
        found = [by_number.get((t.source, n)) for t in notices for n in t.related_notices]
        found += [by_procedure.get((t.source, t.source_id)) for t in notices if t.source_id in own]
        ids = [tender_id for tender_id in found if tender_id is not None]
        if ids:
            linked[key] = min(ids)
    return linked


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
    rows = pa.table(
        {
            "tender_id": pa.array([tender_id for tender_id, _ in applied], pa.int64()),
            "fingerprint": pa.array([fingerprint for _, fingerprint in applied], pa.string()),
        }
    )

    def write(cur: duckdb.DuckDBPyConnection) -> None:
        cur.register("incoming_fingerprints", rows)
        try:
            cur.execute("INSERT INTO tender_notices SELECT * FROM incoming_fingerprints")
        finally:
            cur.unregister("incoming_fingerprints")

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
    nothing.

    An older notice than the one stored (a contract notice read after its award) only fills
    what the stored one leaves out: the description, the deadline, the documents…
    """
    state = tenders.get(tender_id)
    if state is None:
        return False
    current = state.tender
    if current.procedure_id:  # joined through a notice it names: keep the procedure's id
        notice = _under(notice, current.procedure_id)
    if notice.published_at and current.published_at and notice.published_at < current.published_at:
        merged = current.merged_over(notice).model_copy(update={"id": current.id})
    else:
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
