"""OCDS importer: release packages, record packages, single releases and JSON Lines.

The file is read with ijson's event parser (the yajl C backend) and only one release is built as
Python objects at a time, so a package of any size is never held as one document. ijson's
prefixed parser (`ijson.items`) is not used on purpose: it keeps the dotted path of every open
level, so a file nested thousands of levels deep would take gigabytes; the plain event stream
below has no such cost and refuses nesting deeper than MAX_DEPTH.

Each release (or each record, through its compiledRelease) is one row, numbered from 1 in file
order. A file that breaks part-way (cut-off download, bad byte) keeps the releases read before
the break and reports the break as one row error; a file that breaks before its first release is
refused. In JSON Lines a bad line costs only that line.

The parts: stream (reading the JSON), sniff (is it OCDS?), reader (values → rows), mapping (a
release → a Tender's fields) with parties, codes and notices, and json_values (lenient readers).
"""

from __future__ import annotations

from core.ingest.ocds.mapping import DERIVED_TITLE_LIMIT
from core.ingest.ocds.reader import FORMAT, RAW_LIMIT, parse_ocds
from core.ingest.ocds.sniff import sniff_ocds
from core.ingest.ocds.stream import MAX_DEPTH

__all__ = [
    "DERIVED_TITLE_LIMIT",
    "FORMAT",
    "MAX_DEPTH",
    "RAW_LIMIT",
    "parse_ocds",
    "sniff_ocds",
]
