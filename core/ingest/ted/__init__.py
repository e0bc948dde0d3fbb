"""TED export XML, schema R2.0.9 (`TED_EXPORT` root): one file is one notice, imported as row 1.

A TED_EXPORT holds CODED_DATA_SECTION (publication reference, notice number, original language,
country, document type…), TRANSLATION_SECTION and FORM_SECTION with one form element per language
(`<F02_2014 FORM="F02" LG="DE" CATEGORY="ORIGINAL">`, then CATEGORY="TRANSLATION" copies). The
original-language form is read; the translations' titles are kept in `raw["translations"]`.

The XML is parsed by defusedxml with DTDs forbidden: a file that declares a DTD or entities is
refused before anything is expanded (billion laughs, external entities). Element names are matched
by local name, so every R2.0.9 namespace spelling ("ted/R2.0.9.S02/publication", the full
publications.europa.eu URI, or none) reads the same.

The parts: sniff (is it a TED export?), tree (safe parsing and reading elements by local name),
notice (parse_ted and the form → one Tender), forms (form and document type → notice type), lots
(values and lots), dates (deadline in the buyer's zone, publication date), links (OJ numbers,
TED address, document links) and raw (the bounded copy kept in `raw`).
"""

from __future__ import annotations

from core.ingest.ted.links import oj_number
from core.ingest.ted.notice import FORMAT, parse_ted
from core.ingest.ted.sniff import sniff_ted

__all__ = ["FORMAT", "oj_number", "parse_ted", "sniff_ted"]
