"""Fetching a notice's document from its link, against a web server on 127.0.0.1: a document
comes back with its name; a web page, an error, an oversized body, a dead address or a private
one is one sentence that says what to do instead."""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Iterator
from email.message import Message

import pytest

from core.documents.extract import DocumentError
from core.documents.fetch import Unreachable, _Redirects, fetch_document
from tests.document_server import Answer, DocumentServer, closed_port
from tests.fakes import pdf_bytes

PDF = pdf_bytes([["1. Scope", "The supplier shall host it in the UK."]])
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
LOGIN = b"<!DOCTYPE html><html><body><form>Sign in to the portal</form></body></html>"
MB = 1024 * 1024
ROUTES = {
    "/docs/spec.pdf": Answer(PDF, "application/pdf"),
    "/download?id=7": Answer(
        PDF,
        "application/pdf",
        headers={"Content-Disposition": "attachment; filename*=UTF-8''Sp%C3%A9cification%20v2.pdf"},
    ),
    "/get/0a1b2c": Answer(PDF, "application/pdf"),
    "/files/../../etc/evil": Answer(
        b"Plain text.", "text/plain", headers={"Content-Disposition": 'inline; filename="../x"'}
    ),
    "/specification.docx": Answer(b"PK\x03\x04...", DOCX),
    "/login": Answer(LOGIN, "text/html; charset=utf-8"),
    "/disguised.pdf": Answer(b"\n  " + LOGIN, "application/octet-stream"),
    "/gone.pdf": Answer(b"Not Found", "text/plain", status=404),
    "/private.pdf": Answer(b"Sign in", "text/plain", status=403),
    "/broken.pdf": Answer(b"Oops", "text/plain", status=503),
    "/big.pdf": Answer(b"%PDF-1.4\n" + b"0" * (2 * MB), "application/pdf"),
    "/endless.pdf": Answer(b"%PDF-1.4\n" + b"0" * (2 * MB), "application/pdf", undeclared=True),
    "/moved": Answer(status=302, content_type=None, headers={"Location": "/docs/spec.pdf"}),
    "/to-disk": Answer(status=302, content_type=None, headers={"Location": "file:///etc/passwd"}),
    "/slow.pdf": Answer(hang=True),
}


@pytest.fixture(scope="module")
def server() -> Iterator[DocumentServer]:
    with DocumentServer(ROUTES) as running:
        yield running


def fetch(url: str, max_bytes: int = MB, timeout_s: float = 5) -> tuple[str, bytes]:
    return fetch_document(url, max_bytes=max_bytes, timeout_s=timeout_s, allow_private=True)


def refusal(url: str, **kwargs: float) -> str:
    with pytest.raises(DocumentError) as caught:
        fetch(url, **kwargs)  # type: ignore[arg-type]
    message = str(caught.value)
    assert "\n" not in message and message.endswith(".") and "Traceback" not in message
    return message


def test_a_pdf_comes_back_with_the_name_of_its_link(server: DocumentServer) -> None:
    assert fetch(server.url("/docs/spec.pdf")) == ("spec.pdf", PDF)


def test_the_servers_file_name_wins_and_the_content_type_gives_a_missing_suffix(
    server: DocumentServer,
) -> None:
    assert fetch(server.url("/download?id=7"))[0] == "Spécification v2.pdf"
    assert fetch(server.url("/get/0a1b2c"))[0] == "0a1b2c.pdf"
    assert fetch(server.url("/specification.docx"))[0] == "specification.docx"
    assert fetch(server.url("/files/../../etc/evil"))[0] == "x.txt"  # never a path


def test_a_redirect_is_followed_to_the_document(server: DocumentServer) -> None:
    assert fetch(server.url("/moved")) == ("spec.pdf", PDF)


def test_a_web_page_is_not_a_document(server: DocumentServer) -> None:
    expected = (
        "127.0.0.1 returned a web page, not a document: open the link in your browser, "
        "download the file and upload it here."
    )
    assert refusal(server.url("/login")) == expected
    assert refusal(server.url("/disguised.pdf")) == expected  # HTML whatever its type says


def test_http_errors_name_the_code_and_what_to_do(server: DocumentServer) -> None:
    assert refusal(server.url("/gone.pdf")) == (
        "127.0.0.1 answered 404 for /gone.pdf: the link is out of date: find the document on "
        "the buyer's portal and upload it."
    )
    assert refusal(server.url("/private.pdf")).startswith(
        "127.0.0.1 answered 403 for /private.pdf: the portal wants you signed in"
    )
    assert "answered 503 for /broken.pdf: the portal has a problem" in refusal(
        server.url("/broken.pdf")
    )


def test_a_body_over_the_limit_is_refused_declared_or_not(server: DocumentServer) -> None:
    for path in ("/big.pdf", "/endless.pdf"):
        message = refusal(server.url(path), max_bytes=MB)
        assert message.startswith(f"{path} from 127.0.0.1 is over the 1 MB limit for documents")


def test_only_web_addresses_are_fetched_and_followed(server: DocumentServer) -> None:
    assert refusal("file:///etc/passwd") == (
        "file:///etc/passwd is not a web address: only http and https links can be fetched."
    )
    for broken in ("https://[::1/spec.pdf", "http://buyer.example:port/spec.pdf", "spec.pdf"):
        assert refusal(broken).endswith(
            "is not a web address: only http and https links can be fetched."
        )
    assert refusal(server.url("/to-disk")) == (
        "127.0.0.1 answered 302 for /to-disk: it sends the link on to an address that is not "
        "http or https, so download the document in your browser and upload it here."
    )
    request = urllib.request.Request("https://tenders.example.org/spec.pdf")
    with pytest.raises(DocumentError, match="which is not a web address"):
        _Redirects(allow_private=True).redirect_request(
            request, None, 302, "Found", Message(), "ftp://tenders.example.org/spec.pdf"
        )


def test_a_dead_address_says_no_network(server: DocumentServer) -> None:
    with pytest.raises(Unreachable) as caught:
        fetch(f"http://127.0.0.1:{closed_port()}/spec.pdf")
    assert str(caught.value) == (
        "Tenderwise could not reach 127.0.0.1 (no network?): download the document in your "
        "browser and upload it here."
    )


def test_a_name_that_does_not_resolve_says_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_dns(*args: object, **kwargs: object) -> object:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    monkeypatch.setattr(urllib.request, "getproxies", dict)
    with pytest.raises(Unreachable) as caught:
        fetch_document("https://tenders.example.org/spec.pdf", max_bytes=MB)
    assert str(caught.value).startswith("Tenderwise could not reach tenders.example.org")


def test_a_portal_that_does_not_answer_in_time_says_so(server: DocumentServer) -> None:
    with pytest.raises(Unreachable) as caught:
        fetch(server.url("/slow.pdf"), timeout_s=0.3)
    assert str(caught.value).startswith("127.0.0.1 did not answer in time")


def test_an_address_inside_this_network_is_never_fetched(
    server: DocumentServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(urllib.request, "getproxies", dict)
    asked = len(server.requests)
    with pytest.raises(DocumentError) as caught:
        fetch_document(server.url("/docs/spec.pdf"), max_bytes=MB)
    assert str(caught.value) == (
        "127.0.0.1 is an address inside this network, and Tenderwise fetches only from public "
        "sites: download the document in your browser and upload it here."
    )
    assert len(server.requests) == asked  # not even asked
    # nor reached through a public site's redirect
    request = urllib.request.Request("https://tenders.example.org/spec.pdf")
    with pytest.raises(DocumentError, match="inside this network"):
        _Redirects(allow_private=False).redirect_request(
            request, None, 302, "Found", Message(), "http://10.1.2.3/admin"
        )
