"""Runtime configuration from the environment (and `.streamlit/secrets.toml` for secrets)."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SECRETS_FILE = PROJECT_ROOT / ".streamlit" / "secrets.toml"


class _SecretsTomlSource(PydanticBaseSettingsSource):
    """Reads top-level keys of `.streamlit/secrets.toml`; the environment takes precedence."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path) -> None:
        super().__init__(settings_cls)
        self._values: dict[str, Any] = {}
        if path.is_file():
            with path.open("rb") as handle:
                raw = tomllib.load(handle)
            self._values = {k.lower(): v for k, v in raw.items() if not isinstance(v, dict)}

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self._values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        names = set(self.settings_cls.model_fields)
        out: dict[str, Any] = {}
        for name in names:
            if name in self._values:
                out[name] = self._values[name]
        # API key aliases (OPENAI_API_KEY) are accepted here too.
        if "llm_api_key" not in out and "openai_api_key" in self._values:
            out["llm_api_key"] = self._values["openai_api_key"]
        return out


class Settings(BaseSettings):
    """Everything configurable outside the database. Thresholds and the profile live in the DB."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    duckdb_path: Path = Path("data/tenderwise.duckdb")

    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("llm_api_key", "openai_api_key")
    )
    llm_model: str = "gpt-4o-mini"
    llm_model_filter: str | None = None
    llm_model_rate: str | None = None
    llm_model_write: str | None = None
    # Client-side limits; unset rpm/tpm means "no limit of ours" (429s still slow us down).
    llm_rpm: int | None = Field(default=None, ge=1)
    llm_tpm: int | None = Field(default=None, ge=1)
    llm_max_concurrency: int = Field(default=4, ge=1, le=64)
    llm_timeout_s: float = Field(default=60.0, gt=0)
    llm_max_retries: int = Field(default=5, ge=0, le=20)
    # Total time one call may spend retrying transient errors before the endpoint counts as down.
    llm_retry_budget_s: float = Field(default=120.0, gt=0)
    # Extra reasks after an answer that is not the JSON we asked for.
    llm_max_reasks: int = Field(default=3, ge=0, le=10)
    # Prices (USD per million tokens) over the built-in table: {"model": {"input": 1, "output": 2}}.
    llm_prices: str | None = None

    # Sign-in: the key that signs session cookies (else a random key kept beside the database)
    # and how long a session lasts without signing in again.
    session_secret: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("session_secret", "tenderwise_session_secret")
    )
    session_hours: float = Field(default=12.0, gt=0, le=24 * 30)

    # Background worker: tenders claimed per batch and how long a claim is held.
    worker_batch_size: int = Field(default=200, ge=1)
    worker_lease_s: float = Field(default=300.0, gt=0)
    worker_poll_s: float = Field(default=1.0, gt=0)

    # Largest tender file imported, in MB (the Import page also has Streamlit's
    # server.maxUploadSize in .streamlit/config.toml); larger files are refused in one sentence.
    max_upload_mb: int = Field(
        default=200,
        ge=1,
        validation_alias=AliasChoices("max_upload_mb", "tenderwise_max_upload_mb"),
    )

    # Zip-based uploads (XLSX, DOCX) are checked before anything is unpacked: how many members,
    # how large each may unpack, and how much larger than its packed size (a zip bomb unpacks a
    # megabyte into gigabytes). A refused file is one sentence naming it.
    zip_max_members: int = Field(default=10_000, ge=1)
    zip_max_member_mb: int = Field(default=500, ge=1)
    zip_max_total_mb: int = Field(default=1_000, ge=1)
    zip_max_ratio: int = Field(default=100, ge=2)
    # Tender documents (issue 18): the largest file accepted, and the most pages read from it.
    documents_max_mb: int = Field(default=50, ge=1)
    documents_max_pages: int = Field(default=2_000, ge=1)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            _SecretsTomlSource(settings_cls, SECRETS_FILE),
        )

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
