"""Which importer reads a file: each importer scores the content; the highest score wins.

Each format has `parse_x(content, source)` and `sniff_x(content) -> int`, registered in
IMPORTERS. Scores: 100 = the content is
certainly this format (magic bytes, a root element, a telltale key); 90 = the content has the
right shape (a JSON document); 30-40 = only the extension says so; 10 = any text (CSV fallback).
A specific format should outscore the generic one it resembles (OCDS JSON > plain JSON list).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.ingest.content import Content, refuse_unusable
from core.ingest.contracts_finder import parse_contracts_finder, sniff_contracts_finder
from core.ingest.eforms import parse_eforms, sniff_eforms
from core.ingest.errors import ImportFileError
from core.ingest.jsonlist import parse_json
from core.ingest.ocds import parse_ocds, sniff_ocds
from core.ingest.samgov import parse_samgov, sniff_samgov
from core.ingest.tabular import parse_csv, parse_xlsx
from core.ingest.ted import parse_ted, sniff_ted
from core.models import ParsedFile


@dataclass(frozen=True)
class Importer:
    format: str  # also the default Tender.source
    extensions: tuple[str, ...]  # offered by the upload widget
    sniff: Callable[[Content], int]  # 0 = not this format
    parse: Callable[[Content, str], ParsedFile]  # (content, source) → tenders and row errors


def sniff_xlsx(content: Content) -> int:
    # By content only: a CSV renamed to .xlsx is still read as CSV.
    names = content.zip_names
    return 100 if names is not None and "xl/workbook.xml" in names else 0


def sniff_json(content: Content) -> int:
    text = content.head_text
    if text is not None and text[:1] in ("[", "{"):
        return 90
    return 40 if content.extension == "json" else 0


def sniff_csv(content: Content) -> int:
    text = content.head_text
    if text is None or text.startswith("<"):
        return 0  # XML and HTML are text, but never a table of tenders
    return 40 if content.extension in ("csv", "tsv", "txt") else 10


IMPORTERS: tuple[Importer, ...] = (
    Importer("csv", ("csv",), sniff_csv, parse_csv),
    Importer("xlsx", ("xlsx",), sniff_xlsx, parse_xlsx),
    Importer("json", ("json",), sniff_json, parse_json),
    Importer("samgov", ("csv",), sniff_samgov, parse_samgov),
    Importer("contracts finder", ("csv",), sniff_contracts_finder, parse_contracts_finder),
    Importer("ocds", ("json", "jsonl"), sniff_ocds, parse_ocds),
    Importer("ted", ("xml",), sniff_ted, parse_ted),
    Importer("eforms", ("xml",), sniff_eforms, parse_eforms),
)


def choose_importer(content: Content) -> Importer:
    """The importer for this content; ImportFileError when the file is unusable or unknown."""
    refuse_unusable(content)
    score, importer = max(
        ((imp.sniff(content), imp) for imp in IMPORTERS), key=lambda pair: pair[0]
    )
    if score <= 0:
        name = content.filename
        raise ImportFileError(
            name,
            f"{name} is not in a format Tenderwise imports; export the tenders as CSV, XLSX, "
            "JSON, OCDS JSON, TED XML or eForms XML and import that file.",
        )
    return importer
