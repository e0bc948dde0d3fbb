"""Tender page → the notice's own document links: each opens in the browser, and bid managers
and up fetch it into the tender's Documents with one click (or all of them at once). Without
a network, or when a portal answers with its sign-in page, the click says so in one sentence."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import streamlit as st

from core.access.roles import WORKERS, Actor, NotAllowed
from core.bootstrap import AppContext
from core.documents.extract import DocumentError
from core.documents.fetch import Unreachable
from core.models import NoticeDocument, Tender
from core.views.describe import plural
from core.views.markup import escape_markdown
from ui.app.runtime import get_runtime

NOTICE_KEY = "document_links_notice"
_OPEN_UP_TO = 10  # links shown without a click; a longer list stays folded
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def render_document_links(ctx: AppContext, tender: Tender, actor: Actor) -> None:
    links = tender.documents
    if not links or tender.id is None:
        return
    tender_id = tender.id
    may_fetch = actor.can(WORKERS)
    with st.expander(
        f"Document links in the notice ({len(links)})", expanded=len(links) <= _OPEN_UP_TO
    ):
        for kind, text in st.session_state.pop(NOTICE_KEY, []):
            (st.success if kind == "ok" else st.error)(escape_markdown(text))
        if may_fetch:
            st.caption(
                "Fetch adds the document to the tender's Documents below. Many portals ask "
                "you to sign in first: then download it in your browser and upload it."
            )
        chosen: list[str] = []
        for number, link in enumerate(links):
            if _link_row(link, may_fetch, key=f"fetch_link_{tender_id}_{number}"):
                chosen = [link.url]
        if (
            may_fetch
            and len(links) > 1
            and st.button(
                f"Fetch all {len(links)}", icon=":material/download:", key=f"fetch_all_{tender_id}"
            )
        ):
            chosen = [link.url for link in links]
    if chosen:
        with st.spinner(f"Fetching {plural(len(chosen), 'document')}…"):
            st.session_state[NOTICE_KEY] = _fetch(ctx, tender_id, chosen, actor)
        st.rerun()


def _link_row(link: NoticeDocument, may_fetch: bool, key: str) -> bool:
    """One link: its title as a button that opens it, what it is and where, and Fetch."""
    host = urlsplit(link.url).hostname or link.url
    title, about, fetch = st.columns([4, 3, 1], vertical_alignment="center")
    # Button labels render Markdown (links, images): the title is untrusted.
    title.link_button(escape_markdown(link.title or host), link.url, icon=":material/open_in_new:")
    kind = _CAMEL.sub(" ", link.kind or "").replace("-", " ").lower()  # technicalSpecifications
    about.caption(escape_markdown(" · ".join(part for part in (kind, host) if part)))
    return may_fetch and fetch.button(
        "Fetch", key=key, help=escape_markdown(f"Download it from {host}")
    )


def _fetch(ctx: AppContext, tender_id: int, urls: list[str], actor: Actor) -> list[tuple[str, str]]:
    """What each fetch gave, as notices; after a site that does not answer, the rest waits."""
    service = ctx.documents()
    notices: list[tuple[str, str]] = []
    for done, url in enumerate(urls, start=1):
        try:
            record, new = service.fetch(tender_id, url, actor, background=True)
        except (DocumentError, NotAllowed) as exc:
            notices.append(("error", str(exc)))
            if isinstance(exc, Unreachable) and done < len(urls):
                left = plural(len(urls) - done, "other link")
                notices.append(("error", f"{left} not tried: fetch them when the network is back."))
                break
            continue
        if new and record.reading:
            get_runtime().reader.wake()
        pages = plural(record.pages, "page")
        if new and record.reading:
            notices.append(("ok", f"{record.filename} fetched ({pages}): reading its text."))
        elif new:
            notices.append(("ok", f"{record.filename} fetched and added ({pages})."))
        else:
            notices.append(("ok", f"{record.filename} is already among the documents."))
    return notices
