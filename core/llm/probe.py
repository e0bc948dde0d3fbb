"""'Test connection': list the models, time a call, and find which output modes work.

Probing uses its own client with no retries and a private health record, so a dead endpoint
answers within one timeout and never pauses the running worker.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field

from pydantic import BaseModel, Field

from core.llm.client import LLMClient
from core.llm.errors import (
    CallFailed,
    EndpointUnavailable,
    ErrorClass,
    classify,
    endpoint_message,
)
from core.llm.health import EndpointHealth
from core.llm.modes import MODE_ORDER

PROBE_RETRIES = 1
PROBE_MESSAGES = [
    {"role": "system", "content": "You check that structured answers work. Be brief."},
    {"role": "user", "content": "Say hello and give the number 7."},
]


class ProbeAnswer(BaseModel):
    greeting: str = Field(max_length=200)
    number: int


@dataclass(frozen=True)
class ModeResult:
    mode: str
    works: bool
    detail: str
    latency_ms: float | None = None


@dataclass
class ProbeReport:
    base_url: str
    model: str
    ok: bool = False
    message: str = ""
    models: list[str] = field(default_factory=list)
    list_latency_ms: float | None = None
    modes: list[ModeResult] = field(default_factory=list)

    @property
    def best_mode(self) -> str | None:
        return next((m.mode for m in self.modes if m.works), None)


def probe_endpoint(client: LLMClient, model: str | None = None) -> ProbeReport:
    """Probe `client`'s endpoint for `model` (default: its main model) and remember the modes."""
    # One retry within two timeouts: a dead endpoint still answers quickly, while one 503 on
    # a live endpoint does not make it look down.
    endpoint = dataclasses.replace(
        client.endpoint,
        max_retries=PROBE_RETRIES,
        retry_budget_s=client.endpoint.timeout_s * (PROBE_RETRIES + 1),
    )
    model = model or endpoint.model
    probe = LLMClient(
        endpoint,
        usage=client.usage,
        capabilities=client.capabilities,
        prices=client.prices,
        limiter=client.limiter,
        health=EndpointHealth(),
        sdk=client.sdk,
    )
    report = ProbeReport(base_url=endpoint.base_url, model=model)
    started = time.monotonic()
    try:
        listed = probe.sdk.models.list()
        report.models = sorted(m.id for m in listed.data)
        report.list_latency_ms = (time.monotonic() - started) * 1000
    except Exception as exc:  # a missing /models is common on proxies; the chat route decides
        error = classify(exc)
        if error.status != 404:
            report.message = endpoint_message(error, endpoint.base_url)
            return report

    client.capabilities.forget(endpoint.base_url, model)
    for mode in MODE_ORDER:
        started = time.monotonic()
        try:
            probe.structured(
                PROBE_MESSAGES,
                ProbeAnswer,
                step="probe",
                model=model,
                mode=mode,
                use_cache=False,
                max_tokens=200,
            )
        except CallFailed as exc:
            report.modes.append(ModeResult(mode.value, False, str(exc)[:300]))
            if exc.error_class is ErrorClass.UNSUPPORTED:
                client.capabilities.remember(endpoint.base_url, model, mode.value, str(exc))
            continue
        except EndpointUnavailable as exc:
            if not report.modes:  # not one answer: the endpoint is what fails
                report.message = str(exc)
                return report
            report.modes.append(ModeResult(mode.value, False, f"not tested: {exc}"[:300]))
            break
        latency = (time.monotonic() - started) * 1000
        report.modes.append(ModeResult(mode.value, True, "works", latency))
    best = report.best_mode
    report.ok = best is not None
    report.message = (
        f"Connected: {model} answers in {best} mode."
        if best
        else f"{endpoint.base_url} answered, but no output mode gave valid JSON for {model}."
    )
    return report
