"""What a release announces: its notice type, its form type (tags and the Procurement Act
notice number) and the link to the published notice."""

from __future__ import annotations

import re
from typing import Any

from core.ingest.ocds.json_values import dict_of, list_of, text_of, web
from core.models import NoticeType

_TAG_NOTICE: dict[str, NoticeType] = {
    "planning": NoticeType.PLANNING,
    "planningupdate": NoticeType.PLANNING,
    "tender": NoticeType.TENDER,
    "tenderamendment": NoticeType.TENDER,
    "tenderupdate": NoticeType.TENDER,
    "tendercancellation": NoticeType.CANCELLATION,
    "award": NoticeType.AWARD,
    "awardupdate": NoticeType.AWARD,
    "awardcancellation": NoticeType.AWARD,  # an award was withdrawn: the call is still closed
    "contract": NoticeType.AWARD,
    "contractupdate": NoticeType.AWARD,
    "contracttermination": NoticeType.AWARD,
    "implementation": NoticeType.AWARD,
    "implementationupdate": NoticeType.AWARD,
    "contractamendment": NoticeType.MODIFICATION,
    "amendment": NoticeType.MODIFICATION,
    "amendments": NoticeType.MODIFICATION,
}
# A release with several tags ("tender", "award", "contract") announces its latest stage.
_STAGE = {
    NoticeType.PLANNING: 1,
    NoticeType.TENDER: 2,
    NoticeType.AWARD: 3,
    NoticeType.MODIFICATION: 4,
    NoticeType.CANCELLATION: 5,
}
# Find a Tender names each Procurement Act notice (UK1 pipeline … UK17) in documents[].noticeType.
_UK_NOTICE = re.compile(r"UK[0-9]{1,2}")


def notice_url(
    release: dict[str, Any],
    tender: dict[str, Any],
    planning: dict[str, Any],
    awards: list[dict[str, Any]],
    contracts: list[dict[str, Any]],
) -> str | None:
    """The notice the release publishes: the document with the release's id (Find a Tender),
    else a tender notice, else another notice document (the contract notice of the Scottish and
    Welsh portals, Contracts Finder's award notice); else the release's own uri/url/links (PCS
    links only to its API); else any tender document."""
    documents = [
        document
        for section in (tender, *awards, *contracts, planning)
        for document in list_of(section.get("documents"))
        if isinstance(document, dict) and web(document.get("url"))
    ]
    release_id = text_of(release.get("id"))
    notices = [d for d in documents if text_of(d.get("documentType")).endswith("Notice")]
    for found in (
        [d for d in documents if release_id and text_of(d.get("id")) == release_id],
        [d for d in notices if text_of(d.get("documentType")) == "tenderNotice"],
        notices,
    ):
        if found:
            return web(found[0].get("url"))
    for field in ("uri", "url"):
        if web(release.get(field)):
            return web(release.get(field))
    for link in list_of(release.get("links")):
        link = dict_of(link)
        if text_of(link.get("rel")) not in ("next", "prev") and web(link.get("href")):
            return web(link.get("href"))
    for document in list_of(tender.get("documents")):
        if web(dict_of(document).get("url")):
            return web(dict_of(document).get("url"))
    return None


def _tags(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    return [tag.strip() for tag in list_of(value) if isinstance(tag, str) and tag.strip()]


def form_type(release: dict[str, Any], sections: tuple[dict[str, Any], ...]) -> str | None:
    """The tags ("award,contract"), after the Procurement Act notice number when Find a Tender
    gives one ("UK6,award,contract")."""
    tags = _tags(release.get("tag"))
    notice = _uk_notice(release, sections)
    return ",".join([notice, *tags] if notice else tags)[:200] or None


def _uk_notice(release: dict[str, Any], sections: tuple[dict[str, Any], ...]) -> str:
    """documents[].noticeType ("UK4"): of the document with the release's id, else the last one
    in stage order (planning, tender, awards, contracts), as a compiled release lists them."""
    release_id = text_of(release.get("id"))
    found = ""
    for section in sections:
        for document in list_of(section.get("documents")):
            document = dict_of(document)
            code = text_of(document.get("noticeType")).upper()
            if not _UK_NOTICE.fullmatch(code):
                continue
            if release_id and text_of(document.get("id")) == release_id:
                return code
            found = code
    return found


def notice_type_of(
    release: dict[str, Any],
    tender: dict[str, Any],
    awards: list[dict[str, Any]],
    contracts: list[dict[str, Any]],
    planning: dict[str, Any],
) -> NoticeType:
    """The latest stage the tags announce; a cancelled tender is a cancellation whatever the tags.

    Without a known tag (a compiledRelease says "compiled"), tender.status and the sections
    present decide: complete → award, unsuccessful → other, active with awards → award.
    """
    status = text_of(tender.get("status")).lower()
    if status in ("cancelled", "withdrawn"):
        return NoticeType.CANCELLATION
    kinds = [_TAG_NOTICE[t.lower()] for t in _tags(release.get("tag")) if t.lower() in _TAG_NOTICE]
    if kinds:
        return max(kinds, key=_STAGE.__getitem__)
    if status == "complete":
        return NoticeType.AWARD
    if status == "unsuccessful":
        return NoticeType.OTHER
    if status in ("planning", "planned"):
        return NoticeType.PLANNING
    if awards or contracts:
        return NoticeType.AWARD
    if tender:
        return NoticeType.TENDER
    if planning:
        return NoticeType.PLANNING
    return NoticeType.OTHER
