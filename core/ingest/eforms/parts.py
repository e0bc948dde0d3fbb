"""The notice's parts read from the tree: classifications, deadlines, lots, documents, buyers
and changes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from core.ingest.eforms.scalars import amount_of, moment, moment_text
from core.ingest.eforms.tree import (
    EXTENSION,
    Texts,
    cut,
    find,
    findall,
    line_of,
    text_of,
    texts,
)
from core.ingest.links import FoundLink, document_links
from core.ingest.rows import DESCRIPTION_LIMIT
from core.ingest.values import parse_cpv
from core.models import Classification, Lot, NoticeDocument

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

_DOCUMENT_REFERENCES: tuple[tuple[str, str], ...] = (
    ("cac:CallForTendersDocumentReference", "Procurement documents"),
    ("cac:FiscalLegislationDocumentReference", "Fiscal legislation"),
    ("cac:EnvironmentalLegislationDocumentReference", "Environmental legislation"),
    ("cac:EmploymentLegislationDocumentReference", "Employment legislation"),
)
_DOCUMENT_KINDS = {"restricted-document": "Restricted procurement documents"}
# Model limits, so that a long or odd value shortens a field instead of refusing the notice.
_SHORT = 500
_SCHEME_LIMIT = 40
_CODE_LIMIT = 80


@dataclass
class _Codes:
    """Classification codes of a project: CPV first (main before additional), then the rest."""

    cpv: list[str] = field(default_factory=list)
    other: list[Classification] = field(default_factory=list)


def classifications_of(project: Element | None) -> _Codes:
    codes = _Codes()
    paths = (
        "cac:MainCommodityClassification/cbc:ItemClassificationCode",
        "cac:AdditionalCommodityClassification/cbc:ItemClassificationCode",
    )
    for path in paths:
        for element in findall(project, path):
            code = line_of(element)
            scheme = (element.get("listName") or "").strip()
            if not code:
                continue
            if not scheme or scheme.lower() == "cpv":
                codes.cpv.append(code)
            else:
                codes.other.append(
                    Classification(scheme=cut(scheme, _SCHEME_LIMIT), code=cut(code, _CODE_LIMIT))
                )
    return codes


# The deadline a bidder must meet first: tenders in an open procedure; requests to participate
# in a restricted or negotiated one, whose notice has no tender deadline yet.
_DEADLINE_PERIODS: tuple[tuple[str, str], ...] = (
    ("cac:TenderingProcess/cac:TenderSubmissionDeadlinePeriod", "tenders"),
    ("cac:TenderingProcess/cac:ParticipationRequestReceptionPeriod", "requests to participate"),
)


def deadline_parts(element: Element | None) -> tuple[str, str, str]:
    """(EndDate, EndTime, what is due) of the first deadline period given, else empty."""
    for path, kind in _DEADLINE_PERIODS:
        period = find(element, path)
        end_date = text_of(period, "cbc:EndDate")
        if end_date:
            return end_date, text_of(period, "cbc:EndTime"), kind
    return "", "", ""


@dataclass
class _LotInfo:
    lot: Lot
    deadline_text: str | None
    deadline: datetime | None
    deadline_kind: str
    titles: dict[str, str]
    codes: _Codes


def lot_of(element: Element, language: str) -> _LotInfo:
    project = find(element, "cac:ProcurementProject")
    titles = texts(findall(project, "cbc:Name"), language)
    description = texts(findall(project, "cbc:Description"), language, keep_lines=True)
    amount, currency = amount_of(
        find(project, "cac:RequestedTenderTotal/cbc:EstimatedOverallContractAmount")
    )
    end_date, end_time, kind = deadline_parts(element)
    codes = classifications_of(project)
    lot = Lot(
        id=cut(text_of(element, "cbc:ID"), _SHORT) or None,
        title=cut(titles.chosen, _SHORT) or None,
        description=cut(description.chosen, DESCRIPTION_LIMIT),
        value_amount=amount,
        value_currency=currency if amount is not None else None,
        cpv_codes=parse_cpv(codes.cpv),
    )
    return _LotInfo(
        lot=lot,
        deadline_text=moment_text(end_date, end_time) if end_date else None,
        deadline=moment(end_date, end_time),
        deadline_kind=kind,
        titles=titles.by_language if len(titles.by_language) > 1 else {},
        codes=codes,
    )


def is_group(element: Element) -> bool:
    """Lot groups (GLO-0001) share the element of lots but only bundle them."""
    id_element = find(element, "cbc:ID")
    scheme = (id_element.get("schemeName") or "") if id_element is not None else ""
    return scheme.lower() == "lotsgroup" or line_of(id_element).upper().startswith("GLO-")


def documents_of(holders: Iterable[Element]) -> list[NoticeDocument]:
    """The procurement documents' links (BT-15, BT-615) and the legislation references, of the
    notice and its lots: each web address once."""
    found: list[FoundLink] = []
    for holder in holders:
        for path, label in _DOCUMENT_REFERENCES:
            for reference in findall(holder, f"cac:TenderingTerms/{path}"):
                kind = text_of(reference, "cbc:DocumentType")
                url = text_of(reference, "cac:Attachment/cac:ExternalReference/cbc:URI")
                found.append(FoundLink(url, _DOCUMENT_KINDS.get(kind, label), kind or None))
    return document_links(found)


@dataclass
class Buyer:
    id: str = ""
    name: Texts = field(default_factory=Texts)
    country: str = ""
    profile: str = ""


def _organisations(root: Element) -> dict[str, Element]:
    companies: dict[str, Element] = {}
    for extension in findall(root, EXTENSION):
        for company in findall(extension, "efac:Organizations/efac:Organization/efac:Company"):
            companies.setdefault(text_of(company, "cac:PartyIdentification/cbc:ID"), company)
    return companies


def buyers_of(root: Element, language: str) -> list[Buyer]:
    """Every contracting party, resolved to its organisation in the eForms extension; a party
    that names itself (plain UBL) is read in place."""
    companies = _organisations(root)
    buyers = []
    for party in findall(root, "cac:ContractingParty"):
        own = find(party, "cac:Party")
        organisation_id = text_of(own, "cac:PartyIdentification/cbc:ID")
        company = companies.get(organisation_id) if organisation_id else None
        source = company if company is not None else own
        buyers.append(
            Buyer(
                id=organisation_id,
                name=texts(findall(source, "cac:PartyName/cbc:Name"), language),
                country=text_of(source, "cac:PostalAddress/cac:Country/cbc:IdentificationCode"),
                profile=text_of(party, "cbc:BuyerProfileURI"),
            )
        )
    return buyers


def changes_of(root: Element, language: str) -> dict[str, Any]:
    found = [
        changes
        for extension in findall(root, EXTENSION)
        for changes in findall(extension, "efac:Changes")
    ]
    if not found:
        return {}
    changed = [text_of(changes, "efbc:ChangedNoticeIdentifier") for changes in found]
    reasons = [
        text_of(reason, "cbc:ReasonCode")
        or texts(findall(reason, "efbc:ReasonDescription"), language).chosen
        for changes in found
        for reason in findall(changes, "efac:ChangeReason")
    ]
    sections = [
        text_of(change, "efbc:ChangedSectionIdentifier")
        or text_of(change, "efac:ChangedSection/efbc:ChangedSectionIdentifier")
        for changes in found
        for change in findall(changes, "efac:Change")
    ]
    summary = {
        "changed_notice": next((item for item in changed if item), None),
        "reasons": [item for item in reasons if item],
        "sections": [item for item in sections if item],
    }
    return {key: value for key, value in summary.items() if value} or {"changed": True}
