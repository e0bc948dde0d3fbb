"""A notice's own document, downloaded from its link (urllib, no other client).

Links come from imported notices, so they are untrusted: only http and https, never an
address inside this network (a notice could point at the server's own services), the size
capped while the body streams in, and a web page (a portal's sign-in page, most often) refused
instead of kept as a document. Every failure is a DocumentError with one sentence that says
what to do instead: download it in the browser and upload it.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import urllib.request
from collections.abc import Callable
from email.message import Message
from pathlib import PurePosixPath
from typing import Protocol
from urllib.error import HTTPError, URLError
from urllib.parse import unquote, urlsplit

from core.documents.extract import KINDS, DocumentError

_CHUNK = 64 * 1024
_NAME_LIMIT = 200
_SUFFIXES = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "text/plain": ".txt",
    "text/csv": ".csv",
    "text/markdown": ".md",
}
_WEB_PAGES = ("text/html", "application/xhtml+xml")
_ACCEPT = ", ".join([*_SUFFIXES, "*/*;q=0.1"])
_UPLOAD = "download the document in your browser and upload it here."


class Unreachable(DocumentError):
    """The site did not answer (no network, no such name, a timeout): the other links of the
    notice are unlikely to fare better right now."""


class Response(Protocol):
    """What fetch_document reads of an answer (http.client.HTTPResponse has it)."""

    @property
    def headers(self) -> Message: ...

    def read(self, amt: int | None = None, /) -> bytes: ...
    def geturl(self) -> str: ...
    def close(self) -> None: ...


#: opens a request within a timeout in seconds, following redirects; urlopen's shape
Opener = Callable[[urllib.request.Request, float], Response]


class Fetcher(Protocol):
    """fetch_document, as DocumentService calls it."""

    def __call__(self, url: str, *, max_bytes: int) -> tuple[str, bytes]: ...


def fetch_document(
    url: str,
    *,
    max_bytes: int,
    timeout_s: float = 20,
    opener: Opener | None = None,
    allow_private: bool = False,
) -> tuple[str, bytes]:
    """(file name, bytes) of the document behind a link; DocumentError (one sentence) else.

    `allow_private` lets the link point inside this network (tests serve on 127.0.0.1).
    """
    link = url.strip()
    try:
        parts = urlsplit(link)
        scheme, host, _ = parts.scheme.lower(), parts.hostname or "", parts.port  # port: checked
    except ValueError:  # a broken IPv6 address, a port that is no number
        scheme = host = ""
    if not host or scheme not in ("http", "https"):
        raise DocumentError(
            f"{_short(link)} is not a web address: only http and https links can be fetched."
        )
    if not allow_private:
        _refuse_private(link)
    headers = {"User-Agent": "Tenderwise (tender documents)", "Accept": _ACCEPT}
    request = urllib.request.Request(link, headers=headers)  # noqa: S310 (http(s) checked above)
    open_ = opener or _opener(allow_private)
    try:
        response = open_(request, timeout_s)
        try:
            return _document(response, link, max_bytes)
        finally:
            response.close()
    except HTTPError as exc:
        raise DocumentError(_refused(host, exc.code, link)) from exc
    except (URLError, OSError, http.client.HTTPException) as exc:
        reason = exc.reason if isinstance(exc, URLError) else exc
        raise Unreachable(_unreachable(host, reason)) from exc


def _document(response: Response, link: str, max_bytes: int) -> tuple[str, bytes]:
    host = urlsplit(link).hostname or ""
    headers = response.headers
    media_type = headers.get_content_type() if headers.get("Content-Type") else ""
    if media_type in _WEB_PAGES:
        raise DocumentError(_web_page(host))
    declared = headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise DocumentError(_too_large(host, link, max_bytes))
    body = bytearray()
    while chunk := response.read(_CHUNK):
        body += chunk
        if len(body) > max_bytes:  # a server that sends more than it declared, or no length
            raise DocumentError(_too_large(host, link, max_bytes))
    if body[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower().startswith((b"<!doctype html", b"<html")):
        raise DocumentError(_web_page(host))  # a web page served as something else
    return _filename(headers, response.geturl() or link, media_type), bytes(body)


def _filename(headers: Message, final_url: str, media_type: str) -> str:
    """Content-Disposition's name, else the link's last path part; a known suffix from the
    Content-Type when the name has none Tenderwise reads."""
    given = headers.get_filename() or unquote(PurePosixPath(urlsplit(final_url).path).name)
    name = PurePosixPath(given.replace("\\", "/")).name  # never a path
    name = "".join(c for c in name if c.isprintable()).strip(" .")[:_NAME_LIMIT] or "document"
    suffix = _SUFFIXES.get(media_type)
    if suffix and PurePosixPath(name).suffix.lower() not in KINDS:
        name += suffix
    return name


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects only to web addresses outside this network."""

    def __init__(self, allow_private: bool) -> None:
        self._allow_private = allow_private

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: object,
        code: int,
        msg: str,
        headers: Message,
        newurl: str,
    ) -> urllib.request.Request | None:
        if urlsplit(newurl).scheme.lower() not in ("http", "https"):
            raise DocumentError(
                f"{urlsplit(req.full_url).hostname} sent the link on to {_short(newurl)}, "
                f"which is not a web address: {_UPLOAD}"
            )
        if not self._allow_private:
            _refuse_private(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)  # type: ignore[arg-type]


def _opener(allow_private: bool) -> Opener:
    built = urllib.request.build_opener(_Redirects(allow_private))

    def open_(request: urllib.request.Request, timeout_s: float) -> Response:
        response: Response = built.open(request, timeout=timeout_s)
        return response

    return open_


def _refuse_private(link: str) -> None:
    """DocumentError when the link's host is, or resolves to, an address that is not public.
    Behind a proxy the proxy resolves names, and guards its own network."""
    parts = urlsplit(link)
    host = parts.hostname or ""
    if urllib.request.getproxies().get(parts.scheme.lower()) and not urllib.request.proxy_bypass(
        host
    ):
        return
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise Unreachable(_unreachable(host, exc)) from exc
    for *_, address in found:
        if not ipaddress.ip_address(str(address[0]).split("%")[0]).is_global:
            raise DocumentError(
                f"{host} is an address inside this network, and Tenderwise fetches only from "
                f"public sites: {_UPLOAD}"
            )


def _unreachable(host: str, reason: object) -> str:
    if isinstance(reason, TimeoutError) or "timed out" in str(reason):
        return f"{host} did not answer in time (a slow portal, or no network?): {_UPLOAD}"
    return f"Tenderwise could not reach {host} (no network?): {_UPLOAD}"


def _refused(host: str, code: int, link: str) -> str:
    if 300 <= code < 400:  # urllib follows only http, https and ftp redirects
        advice = f"it sends the link on to an address that is not http or https, so {_UPLOAD}"
    elif code in (401, 403, 407):
        advice = f"the portal wants you signed in, so {_UPLOAD}"
    elif code in (404, 410):
        advice = "the link is out of date: find the document on the buyer's portal and upload it."
    elif code >= 500:
        advice = f"the portal has a problem: try again later, or {_UPLOAD}"
    else:
        advice = _UPLOAD
    return f"{host} answered {code} for {_short(_path_of(link))}: {advice}"


def _web_page(host: str) -> str:
    return (
        f"{host} returned a web page, not a document: open the link in your browser, download "
        "the file and upload it here."
    )


def _too_large(host: str, link: str, max_bytes: int) -> str:
    limit = max_bytes / (1024 * 1024)
    return (
        f"{_short(_path_of(link))} from {host} is over the {limit:.0f} MB limit for documents: "
        "download it, upload the part with the requirements, or raise DOCUMENTS_MAX_MB."
    )


def _path_of(link: str) -> str:
    parts = urlsplit(link)
    return unquote(parts.path) or "/"


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
