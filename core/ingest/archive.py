"""Zip-based uploads (XLSX, DOCX) checked before anything is unpacked.

A workbook is a zip archive; openpyxl unpacks whatever its members declare. A 1 MB file can
hold a member that unpacks to gigabytes (one huge cell, a huge shared-strings table, millions
of blank rows). The central directory lists every member's packed and unpacked size, so the
check reads only that. zipfile then never yields more than a member declares, so a member
that lies about its size is cut short and fails to parse instead of filling memory.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

from core.config import get_settings
from core.ingest.content import MB, Content
from core.ingest.errors import ImportFileError

# Below this a member's compression ratio does not matter: it cannot fill memory.
RATIO_FROM_BYTES = 8 * MB
_FIX = "save it again from Excel (or export it as CSV) and import that file"


@dataclass(frozen=True)
class ArchiveLimits:
    members: int
    member_bytes: int
    total_bytes: int
    ratio: int

    @classmethod
    def from_settings(cls) -> ArchiveLimits:
        settings = get_settings()
        return cls(
            members=settings.zip_max_members,
            member_bytes=settings.zip_max_member_mb * MB,
            total_bytes=settings.zip_max_total_mb * MB,
            ratio=settings.zip_max_ratio,
        )


def check_archive(content: Content, limits: ArchiveLimits | None = None) -> None:
    """Refuse a zip whose members are too many, too large or too compressed (ImportFileError)."""
    limits = limits or ArchiveLimits.from_settings()
    name = content.filename
    try:
        with content.open() as stream, zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
        raise ImportFileError(name, f"{name} is a damaged Excel or ZIP file; {_FIX}.") from exc
    if len(members) > limits.members:
        raise ImportFileError(
            name,
            f"{name} holds {len(members):,} files inside, over the limit of "
            f"{limits.members:,} (ZIP_MAX_MEMBERS); {_FIX}.",
        )
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > limits.member_bytes:
            raise _too_large(name, member, f"the limit of {limits.member_bytes // MB:,} MB")
        packed = max(member.compress_size, 1)
        if member.file_size >= RATIO_FROM_BYTES and member.file_size / packed > limits.ratio:
            raise _too_large(
                name,
                member,
                f"{member.file_size / packed:,.0f} times its packed size (the limit is "
                f"{limits.ratio:,}; ZIP_MAX_RATIO)",
            )
    if total > limits.total_bytes:
        raise ImportFileError(
            name,
            f"{name} would unpack to {total / MB:,.0f} MB, over the limit of "
            f"{limits.total_bytes // MB:,} MB (ZIP_MAX_TOTAL_MB); {_FIX}.",
        )


def _too_large(name: str, member: zipfile.ZipInfo, limit: str) -> ImportFileError:
    return ImportFileError(
        name,
        f"{name} looks like a zip bomb: its part {member.filename[:80]} would unpack to "
        f"{member.file_size / MB:,.0f} MB from {member.compress_size / MB:,.1f} MB, over "
        f"{limit}; {_FIX}.",
    )
