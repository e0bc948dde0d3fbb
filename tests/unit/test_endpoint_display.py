"""Credentials written into an endpoint URL never reach names shown or stored."""

from __future__ import annotations

from core.llm.endpoint import Endpoint, display_url


def test_credentials_in_an_endpoint_url_are_never_shown() -> None:
    assert display_url("https://me:sk-secret@llm.example/v1") == "https://llm.example/v1"
    assert display_url("http://127.0.0.1:1234/v1") == "http://127.0.0.1:1234/v1"
    endpoint = Endpoint(base_url="https://me:sk-secret@llm.example/v1", model="m")
    assert "sk-secret" not in endpoint.name
