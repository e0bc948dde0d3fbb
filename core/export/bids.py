"""Bid drafts as DOCX or Markdown files, one per tender, written to a folder or a ZIP.

Every document speaks to the buyer: a title page naming the company, the buyer, their reference
and the deadline, then the four bid sections. The team's own view (scores, strengths, risks,
evidence, response plan, gaps) is the internal brief: its own file (brief_docx,
brief_markdown) or, with `internal=True`, an appendix. Tender and analyst text is untrusted:
it goes in as text (python-docx escapes XML; Markdown is backslash-escaped), and
characters XML cannot hold are dropped first.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Literal

from core.export.bid_content import (
    GAP_NOTE,
    Block,
    ExportError,
    clean_text,
    one_line,
    text_blocks,
    version_line,
)
from core.export.bid_docx import bid_docx, brief_docx
from core.export.bid_markdown import bid_markdown, brief_markdown, md_escape
from core.export.brief_content import BRIEF_HEADING, internal_mentions
from core.models import BidVersion, TenderState

__all__ = [
    "BRIEF_HEADING",
    "GAP_NOTE",
    "BidFormat",
    "Block",
    "ExportError",
    "bid_docx",
    "bid_filename",
    "bid_files",
    "bid_markdown",
    "bids_zip",
    "brief_docx",
    "brief_filename",
    "brief_markdown",
    "clean_text",
    "export_bids",
    "internal_mentions",
    "md_escape",
    "one_line",
    "text_blocks",
    "version_line",
]

BidFormat = Literal["docx", "md"]
MAX_FILENAME = 80
_FILENAME_LETTERS = str.maketrans({"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d"})


def bid_filename(state: TenderState, extension: str) -> str:
    """'tender-12-cloud-hosting-for-the-council.docx': ASCII, short, safe on every OS."""
    ext = re.sub(r"[^a-z0-9]", "", extension.lower())
    if not ext:
        raise ValueError(f"not a file extension: {extension!r}")
    # The fixed "tender-" prefix also keeps clear of Windows' reserved names (CON, NUL, COM1…).
    stem = f"tender-{state.tender.id if state.tender.id is not None else 'unsaved'}"
    room = MAX_FILENAME - len(stem) - len(ext) - 2
    slug = _shorten(_slug(state.tender.title), room)
    return f"{stem}-{slug}.{ext}" if slug else f"{stem}.{ext}"


def brief_filename(state: TenderState, extension: str) -> str:
    """'tender-12-brief-cloud-hosting….docx': the brief beside the bid, never mistaken for it."""
    name = bid_filename(state, extension)
    stem = f"tender-{state.tender.id if state.tender.id is not None else 'unsaved'}"
    return f"{stem}-brief{name[len(stem) :]}"


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text.lower().translate(_FILENAME_LETTERS))
    ascii_text = ascii_text.encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def _shorten(slug: str, room: int) -> str:
    """At most `room` characters, cut at a word boundary when one is near the end."""
    if len(slug) <= room:
        return slug
    cut = slug.rfind("-", 0, room + 1)
    return slug[:cut] if cut > room // 2 else slug[:room].rstrip("-")


Renderer = Callable[[TenderState, str | None, BidVersion | None], bytes]


def _renderer(fmt: str, internal: bool) -> Renderer:
    if fmt == "docx":
        return lambda state, company, version: bid_docx(
            state, company, version=version, internal=internal
        )
    if fmt == "md":
        return lambda state, company, version: bid_markdown(
            state, company, version=version, internal=internal
        ).encode("utf-8")
    raise ExportError(f"Bids cannot be exported as {fmt!r}: choose docx or md.")


def bid_files(
    states: Iterable[TenderState],
    fmt: BidFormat,
    company: str | None = None,
    *,
    versions: Mapping[int, BidVersion] | None = None,
    internal: bool = False,
) -> list[tuple[str, bytes]]:
    """(file name, content) for every tender that has a bid; names are unique.

    `versions` (tender id → version) exports those versions' text instead of each tender's
    newest draft; `internal` appends the team's brief to every document.
    """
    render = _renderer(fmt, internal)
    versions = versions or {}
    files: list[tuple[str, bytes]] = []
    taken: set[str] = set()
    for state in states:
        version = versions.get(state.tender.id) if state.tender.id is not None else None
        if state.bid is None and version is None:
            continue
        name = bid_filename(state, fmt)
        stem, _, ext = name.rpartition(".")
        copy = 1
        while name in taken:
            copy += 1
            name = f"{stem}-{copy}.{ext}"
        taken.add(name)
        files.append((name, render(state, company, version)))
    return files


def export_bids(
    states: Iterable[TenderState],
    fmt: BidFormat,
    out_dir: Path,
    company: str | None = None,
    *,
    versions: Mapping[int, BidVersion] | None = None,
    internal: bool = False,
) -> list[Path]:
    """Writes one file per tender with a bid into out_dir (created if needed); returns the paths."""
    files = bid_files(states, fmt, company, versions=versions, internal=internal)
    _make_folder(out_dir)
    paths = []
    for name, content in files:
        path = out_dir / name
        try:
            path.write_bytes(content)
        except OSError as exc:
            raise ExportError(
                f"Could not write {path} ({exc.strerror or exc}): choose a folder you can write to."
            ) from exc
        paths.append(path)
    return paths


def _make_folder(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportError(f"{out_dir} is a file, not a folder: choose a folder for the bids.")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(
            f"Could not create the folder {out_dir} ({exc.strerror or exc}): "
            "choose a folder you can write to."
        ) from exc


def bids_zip(
    states: Iterable[TenderState],
    fmt: BidFormat,
    company: str | None = None,
    *,
    versions: Mapping[int, BidVersion] | None = None,
    internal: bool = False,
) -> bytes:
    """A ZIP with one file per tender that has a bid, named as export_bids names them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        files = bid_files(states, fmt, company, versions=versions, internal=internal)
        for name, content in files:
            archive.writestr(name, content)
    return buffer.getvalue()
