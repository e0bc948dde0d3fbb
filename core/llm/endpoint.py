"""The endpoint in force: environment settings, with what Settings saved in the DB on top.

The API key only ever comes from the environment or `.streamlit/secrets.toml`; overrides in
the database may change the URL, models and limits, never the key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, Field, SecretStr, field_validator

from core.config import Settings

Step = Literal["filter", "rate", "write"]
STEPS: tuple[Step, ...] = ("filter", "rate", "write")
# Keys for the local servers that accept any key; the SDK refuses to start without one.
_NO_KEY = "not-needed"


class EndpointOverrides(BaseModel):
    """What the Settings page may change; None keeps the environment's value."""

    base_url: str | None = None
    model: str | None = None
    model_filter: str | None = None
    model_rate: str | None = None
    model_write: str | None = None
    rpm: int | None = Field(default=None, ge=1)
    tpm: int | None = Field(default=None, ge=1)
    max_concurrency: int | None = Field(default=None, ge=1, le=64)
    timeout_s: float | None = Field(default=None, gt=0)
    max_retries: int | None = Field(default=None, ge=0, le=20)

    @field_validator("base_url", "model", "model_filter", "model_rate", "model_write")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        value = (value or "").strip()
        return value or None

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("the base URL must start with http:// or https://")
        return value.rstrip("/") if value else value


@dataclass(frozen=True)
class Endpoint:
    """One OpenAI-compatible endpoint and how hard we may use it."""

    base_url: str
    model: str
    step_models: dict[str, str] = field(default_factory=dict, hash=False)
    api_key: SecretStr | None = field(default=None, repr=False, compare=False)
    rpm: int | None = None
    tpm: int | None = None
    max_concurrency: int = 4
    timeout_s: float = 60.0
    max_retries: int = 5
    retry_budget_s: float = 120.0
    max_reasks: int = 3

    @property
    def name(self) -> str:
        """How the UI and `status --json` name the LLM analyst (any user:password@ in the URL
        left out: credentials never reach the database, logs or screens)."""
        return f"llm:{self.model}@{display_url(self.base_url)}"

    def model_for(self, step: str) -> str:
        return self.step_models.get(step) or self.model

    @property
    def models(self) -> list[str]:
        """Every distinct model in use, the default first."""
        seen = [self.model]
        seen += [m for m in self.step_models.values() if m not in seen]
        return seen

    def key_value(self) -> str:
        return self.api_key.get_secret_value() if self.api_key else _NO_KEY

    def limits_key(self) -> tuple[Any, ...]:
        return (self.base_url, self.rpm, self.tpm, self.max_concurrency)


def resolve_endpoint(settings: Settings, overrides: EndpointOverrides | None) -> Endpoint | None:
    """The endpoint in force, or None when no base URL is set (the rules analyst works alone)."""
    o = overrides or EndpointOverrides()
    base_url = o.base_url or settings.llm_base_url
    if not base_url:
        return None
    step_models = {
        "filter": o.model_filter or settings.llm_model_filter,
        "rate": o.model_rate or settings.llm_model_rate,
        "write": o.model_write or settings.llm_model_write,
    }
    return Endpoint(
        base_url=base_url.rstrip("/"),
        model=o.model or settings.llm_model,
        step_models={k: v for k, v in step_models.items() if v},
        api_key=settings.llm_api_key if key_allowed(settings, base_url) else None,
        rpm=o.rpm if o.rpm is not None else settings.llm_rpm,
        tpm=o.tpm if o.tpm is not None else settings.llm_tpm,
        max_concurrency=o.max_concurrency or settings.llm_max_concurrency,
        timeout_s=o.timeout_s or settings.llm_timeout_s,
        max_retries=o.max_retries if o.max_retries is not None else settings.llm_max_retries,
        retry_budget_s=settings.llm_retry_budget_s,
        max_reasks=settings.llm_max_reasks,
    )


def host_of(url: str) -> str:
    """'https://api.example.com:443/v1' → 'api.example.com:443' (lower-case, no user info)."""
    netloc = urlsplit(url.strip()).netloc.rsplit("@", 1)[-1]
    return netloc.lower()


def key_host(settings: Settings) -> str | None:
    """The host the configured key is for: LLM_BASE_URL's, set beside LLM_API_KEY (None when
    no base URL is configured there, so the key goes wherever the Settings page points)."""
    return host_of(settings.llm_base_url) if settings.llm_base_url else None


def key_allowed(settings: Settings, base_url: str) -> bool:
    """Whether the configured key may be sent to `base_url`: only to the host it was set for."""
    allowed = key_host(settings)
    return allowed is None or host_of(base_url) == allowed


def display_url(url: str) -> str:
    """`url` without the userinfo part (`https://user:key@host/v1` → `https://host/v1`)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
