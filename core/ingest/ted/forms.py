"""Forms and codes → what the notice announces: the original form among the translations, the
form type (F02…), and the NoticeType from the form, NOTICE/@TYPE and TED's document type."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from core.ingest.ted.tree import kid, local, text_of
from core.models import NoticeType

# Form → what the notice announces. F21/F22/F23 (social services) and F01/F04 (prior information)
# also say it in NOTICE/@TYPE, read by _notice_type_attribute.
_FORM_TYPES: dict[str, NoticeType] = {
    "F01": NoticeType.PLANNING,  # prior information notice
    "F04": NoticeType.PLANNING,  # periodic indicative notice – utilities
    "F08": NoticeType.PLANNING,  # notice on a buyer profile (announces a PIN published there)
    "F16": NoticeType.PLANNING,  # prior information notice – defence
    "T01": NoticeType.PLANNING,  # prior information notice – public passenger transport
    "F02": NoticeType.TENDER,  # contract notice
    "F05": NoticeType.TENDER,  # contract notice – utilities
    "F07": NoticeType.TENDER,  # qualification system – utilities
    "F12": NoticeType.TENDER,  # design contest notice
    "F17": NoticeType.TENDER,  # contract notice – defence
    "F19": NoticeType.TENDER,  # subcontract notice – defence
    "F24": NoticeType.TENDER,  # concession notice
    "F21": NoticeType.TENDER,  # social services – public contracts (contract-notice variant)
    "F22": NoticeType.TENDER,  # social services – utilities (contract-notice variant)
    "F23": NoticeType.TENDER,  # social services – concessions (contract-notice variant)
    "F03": NoticeType.AWARD,  # contract award notice
    "F06": NoticeType.AWARD,  # contract award notice – utilities
    "F13": NoticeType.AWARD,  # results of a design contest
    "F15": NoticeType.AWARD,  # voluntary ex ante transparency notice
    "F18": NoticeType.AWARD,  # contract award notice – defence
    "F25": NoticeType.AWARD,  # concession award notice
    "T02": NoticeType.AWARD,  # contract award notice – public passenger transport
    "F14": NoticeType.MODIFICATION,  # corrigendum
    "F20": NoticeType.MODIFICATION,  # modification notice
}
# CODIF_DATA/TD_DOCUMENT_TYPE/@CODE, the Publications Office's own classification of the notice:
# used when the form is unknown, and as a cross-check otherwise. Codes seen in real exports;
# other codes are read from the element's English label (_label_notice_type).
_DOCUMENT_TYPES: dict[str, NoticeType] = {
    "0": NoticeType.PLANNING,  # prior information notice
    "P": NoticeType.PLANNING,  # periodic indicative notice without call for competition
    "B": NoticeType.PLANNING,  # buyer profile
    "3": NoticeType.TENDER,  # contract notice
    "D": NoticeType.TENDER,  # design contest
    "O": NoticeType.TENDER,  # qualification system with call for competition
    "Q": NoticeType.TENDER,  # qualification system without call for competition
    "7": NoticeType.AWARD,  # contract award notice
    "J": NoticeType.AWARD,  # concession award notice
    "R": NoticeType.AWARD,  # results of design contests
    "V": NoticeType.AWARD,  # voluntary ex ante transparency notice
    "1": NoticeType.MODIFICATION,  # corrigendum
    "K": NoticeType.MODIFICATION,  # modification of a contract/concession during its term
}
_FORM_CODE = re.compile(r"^([FT]\d\d)")


def notice_type_of(form: ET.Element, codif: ET.Element | None, warnings: list[str]) -> NoticeType:
    form_type = form_type_of(form) or ""
    from_form = _FORM_TYPES.get(form_type)
    notice = kid(form, "NOTICE")
    if notice is not None and form_type in ("F01", "F04", "F21", "F22", "F23"):
        from_form = _notice_type_attribute(notice.get("TYPE") or "") or from_form
    document = kid(codif, "TD_DOCUMENT_TYPE")
    from_document = None
    if document is not None:
        code = (document.get("CODE") or "").strip().upper()
        from_document = _DOCUMENT_TYPES.get(code) or _label_notice_type(text_of(document))
    if from_form and from_document and from_form != from_document:
        warnings.append(
            f"form {form_type} is a {from_form.label.lower()} but TED's document type "
            f"'{text_of(document)[:60]}' says {from_document.label.lower()}; "
            f"imported as {from_form.label.lower()}"
        )
    return from_form or from_document or NoticeType.OTHER


def original_form(forms: list[ET.Element], lg_orig: str) -> ET.Element:
    """CATEGORY="ORIGINAL" (the one in LG_ORIG when several), else the LG_ORIG form, else first."""
    originals = [form for form in forms if (form.get("CATEGORY") or "").upper() == "ORIGINAL"]
    for group in (originals, forms):
        for form in group:
            if lg_orig and (form.get("LG") or "").strip().upper() == lg_orig:
                return form
        if group:
            return group[0]
    return forms[0]


def form_type_of(form: ET.Element) -> str | None:
    """FORM="F02", else the tag's prefix (F02_2014 → F02), else the tag."""
    attribute = (form.get("FORM") or "").strip()
    if attribute:
        return attribute[:40]
    tag = local(form.tag)
    match = _FORM_CODE.match(tag)
    return match[1] if match else (tag[:40] or None)


def _notice_type_attribute(value: str) -> NoticeType | None:
    """NOTICE/@TYPE of F01/F04/F21/F22/F23: PRI_ONLY, PER_CALL_COMPETITION, CONTRACT, AWARD_…"""
    kind = value.strip().upper()
    if kind.endswith("CALL_COMPETITION"):
        # The notice is itself the call: operators must express interest now (the OCDS EU
        # profile tags it planning *and* tender). So it can be bid for.
        return NoticeType.TENDER
    if kind.startswith(("PRI", "PER")):
        return NoticeType.PLANNING
    if kind.startswith("AWARD"):
        return NoticeType.AWARD
    if kind in ("CONTRACT", "CONCESSION") or kind.startswith("QSU"):
        return NoticeType.TENDER
    return None


def _label_notice_type(label: str) -> NoticeType | None:
    """TD_DOCUMENT_TYPE's English label, for codes not in _DOCUMENT_TYPES."""
    text = label.lower()
    if "award" in text or "result" in text or "ex ante" in text:
        return NoticeType.AWARD
    if "corrigendum" in text or "modification" in text or "additional information" in text:
        return NoticeType.MODIFICATION
    if "with call for competition" in text:
        return NoticeType.TENDER
    if "prior information" in text or "periodic indicative" in text or "buyer profile" in text:
        return NoticeType.PLANNING
    if "contract notice" in text or "contest" in text or "concession" in text:
        return NoticeType.TENDER
    return None
