"""eForms importer: one UBL 2.3 notice (TED's format since 2023) → one Tender with its lots.

A notice file holds one notice: a ContractNotice, PriorInformationNotice or ContractAwardNotice
root in the UBL namespaces. Organisations live in the eForms extension and are referenced by id
(ORG-0001) from the contracting party; texts may repeat in several languages (languageID="ENG"),
and the one in the notice language (cbc:NoticeLanguageCode) is used, the others kept in `raw`.

XML is parsed with defusedxml and DTDs are refused outright: a notice never needs one, and a
DOCTYPE is how entity-expansion attacks (billion laughs) and external references get in.

The parts: sniff (is it an eForms notice?), tree (safe parsing and reading elements), scalars
(moments, amounts, links), codes (country, language and notice type code lists), parts (lots,
buyers, classifications, deadlines, documents, changes) and reader (the notice → one Tender).
"""

from __future__ import annotations

from core.ingest.eforms.reader import FORMAT, parse_eforms
from core.ingest.eforms.sniff import sniff_eforms
from core.ingest.eforms.tree import NOTICE_ROOTS, NS

__all__ = ["FORMAT", "NOTICE_ROOTS", "NS", "parse_eforms", "sniff_eforms"]
