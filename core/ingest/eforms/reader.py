"""parse_eforms: one notice → one Tender with its lots, its value and deadline chosen from the
procedure and its lots, and the rest of the notice kept in `raw`."""

from __future__ import annotations

from typing import Any

from core.ingest.content import Content
from core.ingest.eforms.codes import country_code_of, language_code_of, notice_type_of
from core.ingest.eforms.parts import (
    Buyer,
    buyers_of,
    changes_of,
    classifications_of,
    deadline_parts,
    documents_of,
    is_group,
    lot_of,
)
from core.ingest.eforms.scalars import amount_of, moment, web_link
from core.ingest.eforms.tree import (
    EXTENSION,
    NOTICE_ROOTS,
    cut,
    find,
    findall,
    line_of,
    parse_xml,
    text_of,
    texts,
)
from core.ingest.errors import ImportFileError
from core.ingest.rows import DESCRIPTION_LIMIT, TenderBuilder
from core.models import Classification, Lot, ParsedFile

FORMAT = "eforms"
_LOT_SUMMARY = 200  # characters of a lot's description in the summary of lots


def _lot_summaries(lots: list[Lot], description: str, budget: int) -> str:
    """'Lots:' and one line per lot, as many as fit in `budget` characters."""
    lines = ["Lots:"]
    used = len(lines[0])
    for number, lot in enumerate(lots):
        label = lot.title or "(untitled)"
        line = f"- {lot.id}: {label}" if lot.id else f"- {label}"
        if lot.description and lot.description not in (description, lot.title):
            line += f" — {cut(' '.join(lot.description.split()), _LOT_SUMMARY)}"
        if used + len(line) + 1 > budget - 40:
            lines.append(f"… and {len(lots) - number:,} more lots")
            break
        lines.append(line)
        used += len(line) + 1
    return "\n".join(lines)


def _describe(description: str, title: str, lots: list[Lot]) -> str:
    only = lots[0] if len(lots) == 1 else None
    if not lots or (
        only is not None and only.title in (None, title) and only.description in ("", description)
    ):
        return description
    budget = DESCRIPTION_LIMIT - len(description) - 2
    if budget < 200:
        return description
    summaries = _lot_summaries(lots, description, budget)
    return f"{description}\n\n{summaries}" if description else summaries


def _compact(raw: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in raw.items() if value not in (None, "", [], {})}


def parse_eforms(content: Content, source: str) -> ParsedFile:
    name = content.filename
    root = parse_xml(content)
    namespace, _, root_name = root.tag[1:].partition("}") if root.tag[:1] == "{" else ("", "", "")
    if NOTICE_ROOTS.get(namespace) != root_name:
        shown = root_name or root.tag
        raise ImportFileError(
            name,
            f"{name} is XML but not an eForms notice (its root element is <{shown}>, not a "
            "ContractNotice, PriorInformationNotice or ContractAwardNotice in the UBL "
            "namespace); import eForms notices as published by TED.",
        )

    language_code = text_of(root, "cbc:NoticeLanguageCode").upper()
    project = find(root, "cac:ProcurementProject")
    names = texts(findall(project, "cbc:Name"), language_code)
    description = texts(findall(project, "cbc:Description"), language_code, keep_lines=True)

    lot_elements = findall(root, "cac:ProcurementProjectLot")
    groups = [text_of(element, "cbc:ID") for element in lot_elements if is_group(element)]
    lot_elements = [element for element in lot_elements if not is_group(element)]
    lot_infos = [lot_of(element, language_code) for element in lot_elements]
    lots = [info.lot for info in lot_infos]

    title = names.chosen or next((lot.title for lot in lots if lot.title), "")
    if not title:
        raise ImportFileError(
            name,
            f"{name} is an eForms notice without a title (no cbc:Name for the procedure or any "
            "lot), so it cannot be imported; fix the notice or download it again from TED.",
        )

    buyers = buyers_of(root, language_code)
    buyer = next((b for b in buyers if b.name.chosen), buyers[0] if buyers else Buyer())
    country = buyer.country or text_of(
        project, "cac:RealizedLocation/cac:Address/cac:Country/cbc:IdentificationCode"
    )

    cpv: list[str] = []
    classifications: dict[tuple[str, str], Classification] = {}
    for codes in (classifications_of(project), *(info.codes for info in lot_infos)):
        cpv.extend(codes.cpv)
        for item in codes.other:
            classifications.setdefault((item.scheme, item.code), item)

    # The procedure's estimate; else the lots' estimates when every lot has one, in one
    # currency; else, on an award notice, the total awarded.
    value_element = find(project, "cac:RequestedTenderTotal/cbc:EstimatedOverallContractAmount")
    currency_text = value_element.get("currencyID") if value_element is not None else None
    result_amount, result_currency = amount_of(
        next(
            (
                total
                for extension in findall(root, EXTENSION)
                for total in findall(extension, "efac:NoticeResult/cbc:TotalAmount")
            ),
            None,
        )
    )
    currencies = {lot.value_currency for lot in lots}
    value: Any = None
    currency: str | None = None
    value_source = ""
    procedure_amount, _ = amount_of(value_element)
    if procedure_amount is not None:
        value, currency, value_source = procedure_amount, currency_text, "procedure"
    elif lots and all(lot.value_amount is not None for lot in lots) and len(currencies) == 1:
        value = round(sum(lot.value_amount or 0.0 for lot in lots), 2)
        currency, value_source = currencies.pop(), "lots"
    elif result_amount is not None:
        value, currency, value_source = result_amount, result_currency, "result"
    elif line_of(value_element):  # unreadable: the builder keeps the notice and says why
        value, currency = line_of(value_element), currency_text

    deadlines = [(info.deadline, info.deadline_kind) for info in lot_infos if info.deadline]
    end_date, end_time, kind = deadline_parts(root)  # not where eForms puts it, but seen
    procedure_deadline = moment(end_date, end_time)
    if procedure_deadline is not None:
        deadlines.append((procedure_deadline, kind))
    earliest = min(deadlines, key=lambda pair: pair[0]) if deadlines else None
    # No readable deadline: hand the first unreadable one to the builder, which says so.
    deadline: Any = (
        earliest[0]
        if earliest
        else next((info.deadline_text for info in lot_infos if info.deadline_text), None)
    )

    documents = documents_of([root, *lot_elements])
    url = next(
        (link for link in (web_link(b.profile) for b in buyers) if link),
        documents[0].url if documents else None,
    )

    type_element = find(root, "cbc:NoticeTypeCode")
    type_code = line_of(type_element)
    type_list = (type_element.get("listName") or "") if type_element is not None else ""
    notice_type = notice_type_of(root_name, type_code, type_list)
    changes = changes_of(root, language_code)

    lot_deadlines = {
        info.lot.id or str(number): info.deadline.isoformat()
        for number, info in enumerate(lot_infos, start=1)
        if info.deadline is not None
    }
    raw = _compact(
        {
            "format": FORMAT,
            "root": root_name,
            "notice_id": text_of(root, "cbc:ID"),
            "version": text_of(root, "cbc:VersionID"),
            "procedure_id": text_of(root, "cbc:ContractFolderID"),
            "customization": text_of(root, "cbc:CustomizationID"),
            "notice_type_code": type_code,
            "notice_type_list": type_list,
            "notice_subtype": next(
                (
                    text_of(extension, "efac:NoticeSubType/cbc:SubTypeCode")
                    for extension in findall(root, EXTENSION)
                ),
                "",
            ),
            "notice_language": language_code,
            "additional_languages": [
                text_of(item, "cbc:ID") for item in findall(root, "cac:AdditionalNoticeLanguage")
            ],
            "issue_date": text_of(root, "cbc:IssueDate"),
            "issue_time": text_of(root, "cbc:IssueTime"),
            "regulatory_domain": text_of(root, "cbc:RegulatoryDomain"),
            "procedure_code": text_of(root, "cac:TenderingProcess/cbc:ProcedureCode"),
            "contract_nature": text_of(project, "cbc:ProcurementTypeCode"),
            "internal_id": text_of(project, "cbc:ID"),
            "titles": names.by_language if len(names.by_language) > 1 else {},
            "buyer_id": buyer.id,
            "buyer_names": buyer.name.by_language if len(buyer.name.by_language) > 1 else {},
            "buyer_country": buyer.country,
            "other_buyers": [b.name.chosen for b in buyers if b is not buyer and b.name.chosen],
            "lots": [lot.id for lot in lots if lot.id],
            "lot_groups": [group for group in groups if group],
            "lot_titles": {
                info.lot.id: info.titles for info in lot_infos if info.titles and info.lot.id
            },
            "deadline_for": earliest[1] if earliest else "",
            "lot_deadlines": lot_deadlines if len(set(lot_deadlines.values())) > 1 else {},
            "value_source": value_source,
            "result_total": (
                {"amount": result_amount, "currency": result_currency}
                if result_amount is not None
                else {}
            ),
            "changes": changes,
        }
    )

    builder = TenderBuilder(name, FORMAT, source)
    builder.add(
        1,
        {
            "source_id": text_of(root, "cbc:ID"),
            "title": title,
            "description": _describe(description.chosen, title, lots),
            "buyer": buyer.name.chosen,
            "value": value,
            "currency": currency,
            "deadline": deadline,
            "cpv": cpv,
            "country": country_code_of(country) if country else None,
            "language": language_code_of(language_code) if language_code else None,
            "url": url,
        },
        raw,
        None,
        {
            "notice_type": notice_type,
            "form_type": type_code or None,
            "procedure_id": text_of(root, "cbc:ContractFolderID") or None,
            "published_at": moment(text_of(root, "cbc:IssueDate"), text_of(root, "cbc:IssueTime")),
            "classifications": list(classifications.values()),
            "lots": lots,
            "documents": documents,
        },
    )
    return builder.result()
