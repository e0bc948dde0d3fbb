"""The LLM endpoint form on Settings: what is in force and from where, saving, probing.

No Streamlit here. The API key is only ever reported as set or not set.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any

from pydantic import SecretStr, ValidationError

from core.access.audit import AuditAction, AuditLog
from core.access.roles import ADMINS, Actor
from core.analysts.settings import DEFAULT_CASCADE_LEVEL, LLM_SETTINGS, MIN_CASCADE_LEVEL
from core.bootstrap import AppContext
from core.llm.client import LLMClient
from core.llm.endpoint import (
    EndpointOverrides,
    display_url,
    host_of,
    key_host,
    resolve_endpoint,
)
from core.llm.prices import PriceTable
from core.llm.probe import ProbeReport, probe_endpoint
from core.views.describe import describe_analyst, plural
from core.views.operations import latency_text, reason_sentence

log = logging.getLogger(__name__)

# The endpoint fields Settings may override, each read from `llm_<name>` in the environment.
OVERRIDE_FIELDS: tuple[str, ...] = tuple(EndpointOverrides.model_fields)
FIELD_LABELS: dict[str, str] = {
    "base_url": "Base URL",
    "model": "Model",
    "model_filter": "Model for filtering",
    "model_rate": "Model for rating",
    "model_write": "Model for bid writing",
    "rpm": "Requests per minute",
    "tpm": "Tokens per minute",
    "max_concurrency": "Max concurrency",
    "timeout_s": "Timeout (s)",
    "max_retries": "Max retries",
    "prefilter": "Rules prefilter",
    "cascade_level": "Rules settle verdicts from",
}


# ---------------------------------------------------------------------- the endpoint form
@dataclass
class EndpointFormValues:
    """What the Settings form shows and sends back; blank or None keeps the environment's."""

    base_url: str = ""
    model: str = ""
    model_filter: str = ""
    model_rate: str = ""
    model_write: str = ""
    rpm: int | None = None
    tpm: int | None = None
    max_concurrency: int = 4
    timeout_s: float = 60.0
    max_retries: int = 5
    prefilter: bool = True
    cascade_level: float = DEFAULT_CASCADE_LEVEL  # rules verdicts this sure skip the LLM


@dataclass(frozen=True)
class EndpointForm:
    values: EndpointFormValues
    #: field → "saved here", "environment" (or secrets.toml), "default" or "main model"
    sources: dict[str, str]
    api_key_set: bool
    #: a base URL is set, so the LLM analyst is in use
    active: bool
    analyst: str

    @property
    def api_key_text(self) -> str:
        state = "set" if self.api_key_set else "not set"
        return f"API key: {state} (from the environment or secrets.toml)"

    def source_rows(self) -> list[dict[str, str]]:
        """One row per setting: its value in force and where it comes from."""
        rows = []
        for name, label in FIELD_LABELS.items():
            value = getattr(self.values, name)
            if isinstance(value, bool):
                shown = "on" if value else "off"
            elif name == "base_url" and not value:
                shown = "not set: the rules analyst works alone"
            elif name == "cascade_level":
                shown = f"{value:.0%} confidence (only less sure verdicts go to the LLM)"
            elif value in (None, ""):
                shown = "same as Model" if name.startswith("model_") else "no limit"
            else:
                shown = f"{value:,}" if isinstance(value, int) else str(value)
            rows.append({"setting": label, "value": shown, "from": self.sources[name]})
        return rows


def _env_value(ctx: AppContext, name: str) -> Any:
    value = getattr(ctx.settings, f"llm_{name}")
    return value.rstrip("/") if name == "base_url" and isinstance(value, str) else value


def endpoint_form(ctx: AppContext) -> EndpointForm:
    """The endpoint settings in force and where each comes from."""
    chosen = ctx.analyst_settings()
    overrides = chosen.endpoint_overrides()
    from_env = ctx.settings.model_fields_set
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for name in OVERRIDE_FIELDS:
        saved = getattr(overrides, name)
        if saved is not None:
            values[name], sources[name] = saved, "saved here"
            continue
        values[name] = _env_value(ctx, name)
        if f"llm_{name}" in from_env:
            sources[name] = "environment"
        else:
            sources[name] = "main model" if name.startswith("model_") else "default"
    values = {k: ("" if v is None and k not in ("rpm", "tpm") else v) for k, v in values.items()}
    sources["prefilter"] = "saved here" if chosen.prefilter_saved() else "default"
    sources["cascade_level"] = "saved here" if chosen.cascade_saved() else "default"
    endpoint = chosen.endpoint()
    return EndpointForm(
        values=EndpointFormValues(
            **values,
            prefilter=chosen.prefilter_enabled(),
            cascade_level=chosen.cascade_level(),
        ),
        sources=sources,
        api_key_set=ctx.settings.llm_api_key is not None,
        active=endpoint is not None,
        analyst=describe_analyst(chosen.analyst_name()),
    )


def _one_sentence(error: ValidationError) -> str:
    first = error.errors()[0]
    name = str(first["loc"][0]) if first.get("loc") else ""
    message = str(first["msg"]).removeprefix("Value error, ")
    if first["type"] != "value_error":
        message = f"{FIELD_LABELS.get(name, name)}: {message[:1].lower()}{message[1:]}"
    message = message[:1].upper() + message[1:]
    return message if message.endswith(".") else message + "."


def _validated(values: dict[str, Any]) -> EndpointOverrides:
    return EndpointOverrides.model_validate(
        {k: (v.strip() or None) if isinstance(v, str) else v for k, v in values.items()}
    )


def save_endpoint_form(ctx: AppContext, values: EndpointFormValues, *, actor: Actor) -> str | None:
    """Store what differs from the environment; one sentence saying what to fix, else None.

    Only admins change settings (NotAllowed otherwise); changes go to the audit log.
    """
    ctx.audit().require(actor, ADMINS, "change settings", target=LLM_SETTINGS)
    form = {f.name: getattr(values, f.name) for f in fields(values) if f.name in OVERRIDE_FIELDS}
    try:
        overrides = _validated(form)
    except ValidationError as exc:
        return _one_sentence(exc)
    # A value equal to the environment's is not an override: it follows the environment.
    same = {n: None for n in OVERRIDE_FIELDS if getattr(overrides, n) == _env_value(ctx, n)}
    chosen = ctx.analyst_settings()
    if not MIN_CASCADE_LEVEL <= values.cascade_level <= 1.0:
        return (
            f"{FIELD_LABELS['cascade_level']}: a confidence between {MIN_CASCADE_LEVEL:.0%} "
            "and 100%."
        )
    chosen.save_endpoint_overrides(overrides.model_copy(update=same), actor=actor)
    chosen.set_prefilter(values.prefilter, actor=actor)
    chosen.set_cascade_level(values.cascade_level, actor=actor)
    return None


def probe_key_host(ctx: AppContext) -> str | None:
    """The host the configured key was set for: LLM_BASE_URL's, else the saved base URL's."""
    saved = ctx.analyst_settings().endpoint_overrides().base_url
    return key_host(ctx.settings) or (host_of(saved) if saved else None)


def probe_connection(
    ctx: AppContext,
    base_url: str,
    model: str,
    *,
    actor: Actor,
    api_key: str | None = None,
) -> ProbeReport:
    """Probe a URL and model with the current limits (admins only; every probe is audited with
    who, which host and the outcome). The configured key goes only to the host it was set for;
    another host is probed with `api_key` (typed for this test, never stored) or with none.
    Failures are one sentence."""
    audit = ctx.audit()
    audit.require(actor, ADMINS, "test the LLM connection", target=LLM_SETTINGS)
    current = ctx.analyst_settings().endpoint_overrides().model_dump()
    try:
        overrides = _validated({**current, "base_url": base_url, "model": model})
    except ValidationError as exc:
        return _audited(
            audit,
            actor,
            base_url,
            "no key",
            ProbeReport(base_url=base_url, model=model, message=_one_sentence(exc)),
        )
    endpoint = resolve_endpoint(ctx.settings, overrides)
    if endpoint is None:
        return ProbeReport(
            base_url="",
            model=model,
            message="Enter a base URL to test, e.g. http://localhost:11434/v1 for Ollama.",
        )
    typed = (api_key or "").strip()
    key_for = probe_key_host(ctx)
    same_host = host_of(endpoint.base_url) == key_for
    if typed:
        endpoint, key_used = replace(endpoint, api_key=SecretStr(typed)), "the key typed for it"
    elif same_host and ctx.settings.llm_api_key is not None:
        endpoint = replace(endpoint, api_key=ctx.settings.llm_api_key)
        key_used = "the configured key"
    else:
        endpoint, key_used = replace(endpoint, api_key=None), "no key"
    try:
        client = LLMClient(
            endpoint,
            usage=ctx.llm_usage,
            capabilities=ctx.capabilities,
            prices=PriceTable.from_json(ctx.settings.llm_prices),
        )
        report = probe_endpoint(client, endpoint.model)
    except Exception as exc:  # the user's endpoint: whatever goes wrong is shown, not raised
        log.warning("test connection to %s failed", display_url(endpoint.base_url), exc_info=True)
        detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        report = ProbeReport(
            base_url=endpoint.base_url,
            model=endpoint.model,
            message=f"Could not test {display_url(endpoint.base_url)}: {detail.rstrip('.')}.",
        )
        return _audited(audit, actor, endpoint.base_url, key_used, report)
    if not report.ok:
        report.message = reason_sentence(report.message)
    if not same_host and not typed and ctx.settings.llm_api_key is not None:
        report.message += (
            f" The configured key was not sent: it is only for {key_for or 'the configured host'}."
        )
    return _audited(audit, actor, endpoint.base_url, key_used, report)


def _audited(
    audit: AuditLog, actor: Actor, base_url: str, key_used: str, report: ProbeReport
) -> ProbeReport:
    host = host_of(base_url) or base_url[:80]
    audit.record_actor(
        actor,
        AuditAction.LLM_TEST,
        target=f"LLM endpoint {host}",
        detail=f"test connection to {host} with {key_used}: "
        + ("answered" if report.ok else report.message[:200]),
        outcome="ok" if report.ok else "failed",
    )
    return report


# ---------------------------------------------------------------------- refused modes
@dataclass(frozen=True)
class Refusal:
    model: str
    feature: str
    reason: str
    since: datetime | None = None


def remembered_refusals(ctx: AppContext) -> list[Refusal]:
    """Output modes and parameters the endpoint in force refused, for any model."""
    endpoint = ctx.analyst_settings().endpoint()
    if endpoint is None:
        return []
    return [
        Refusal(r["model"], r["feature"], r["reason"] or "", r["refused_at"])
        for r in ctx.capability_store.all()
        if r["base_url"] == endpoint.base_url
    ]


def forget_refusals(ctx: AppContext, *, actor: Actor) -> int:
    """Forget what the endpoint refused, so the next call tries json_schema again (admins)."""
    audit = ctx.audit()
    audit.require(actor, ADMINS, "change settings", target=LLM_SETTINGS)
    endpoint = ctx.analyst_settings().endpoint()
    if endpoint is None:
        return 0
    refusals = remembered_refusals(ctx)
    for model in {r.model for r in refusals} | set(endpoint.models):
        ctx.capabilities.forget(endpoint.base_url, model)
    audit.record_actor(
        actor,
        AuditAction.SETTINGS_CHANGED,
        target=LLM_SETTINGS,
        detail=f"forgot {plural(len(refusals), 'refused output mode')}",
    )
    return len(refusals)


def models_text(report: ProbeReport, limit: int = 30) -> str:
    """'3 models listed in 120 ms: a, b, c' (the first `limit` names)."""
    if not report.models:
        return ""
    names = ", ".join(report.models[:limit])
    more = f" and {len(report.models) - limit:,} more" if len(report.models) > limit else ""
    took = f" in {latency_text(report.list_latency_ms)}" if report.list_latency_ms else ""
    return f"{plural(len(report.models), 'model')} listed{took}: {names}{more}"
