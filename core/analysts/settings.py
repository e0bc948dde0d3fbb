"""Which analyst runs: the LLM endpoint in force (environment, then the Settings page's
overrides) and whether the free rules analyst screens tenders first. Changes are for admins
and audited."""

from __future__ import annotations

from pydantic import ValidationError

from core.access.audit import AuditAction, AuditLog
from core.access.roles import ADMINS, Actor
from core.config import Settings
from core.llm.endpoint import Endpoint, EndpointOverrides, resolve_endpoint
from core.pipeline.controls import Settable

ENDPOINT_KEY = "llm_endpoint"
LLM_SETTINGS = "settings: LLM endpoint"
PREFILTER_KEY = "llm_rules_prefilter"
CASCADE_KEY = "llm_cascade_level"
DEFAULT_CASCADE_LEVEL = 0.9  # core.analysts.llm: rules verdicts this sure skip the LLM
MIN_CASCADE_LEVEL = 0.5


class CascadeLevelError(ValueError):
    """A cascade level the settings cannot take; the message says what to enter."""


class AnalystSettings:
    def __init__(self, settings: Settings, state: Settable, audit: AuditLog) -> None:
        self._settings = settings
        self._state = state
        self._audit = audit

    def endpoint_overrides(self) -> EndpointOverrides:
        """What the Settings page saved over the environment (nothing when unreadable)."""
        try:
            return EndpointOverrides.model_validate(self._state.get(ENDPOINT_KEY) or {})
        except ValidationError:
            return EndpointOverrides()

    def save_endpoint_overrides(self, overrides: EndpointOverrides, *, actor: Actor) -> None:
        """Store the Settings page's endpoint values (admins only; audited when they change)."""
        self._audit.require(actor, ADMINS, "change settings", target=LLM_SETTINGS)
        before = self.endpoint_overrides().model_dump(exclude_none=True)
        after = overrides.model_dump(exclude_none=True)
        self._state.set(ENDPOINT_KEY, after)
        changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        if changed:  # names only: a base URL may carry credentials
            self._audit.record_actor(
                actor,
                AuditAction.SETTINGS_CHANGED,
                target=LLM_SETTINGS,
                detail="changed " + ", ".join(changed),
            )

    def endpoint(self) -> Endpoint | None:
        """The LLM endpoint in force, or None for the offline rules analyst."""
        return resolve_endpoint(self._settings, self.endpoint_overrides())

    def prefilter_saved(self) -> bool:
        """Whether the prefilter switch was saved here (else it is on by default)."""
        return self._state.get(PREFILTER_KEY) is not None

    def prefilter_enabled(self) -> bool:
        return bool(self._state.get(PREFILTER_KEY, True))

    def set_prefilter(self, enabled: bool, *, actor: Actor) -> None:
        """Switch the rules prefilter (admins only; audited when it changes)."""
        self._audit.require(actor, ADMINS, "change settings", target=LLM_SETTINGS)
        before = self.prefilter_enabled()
        self._state.set(PREFILTER_KEY, enabled)
        if before != enabled:
            self._audit.record_actor(
                actor,
                AuditAction.SETTINGS_CHANGED,
                target=LLM_SETTINGS,
                detail=f"rules prefilter {'on' if enabled else 'off'}",
            )

    def cascade_saved(self) -> bool:
        return self._state.get(CASCADE_KEY) is not None

    def cascade_level(self) -> float:
        """From which confidence the rules' verdict stands without asking the LLM."""
        value = self._state.get(CASCADE_KEY)
        return float(value) if isinstance(value, int | float) else DEFAULT_CASCADE_LEVEL

    def set_cascade_level(self, level: float, *, actor: Actor) -> None:
        """Set the cascade band's top (admins only; audited when it changes)."""
        self._audit.require(actor, ADMINS, "change settings", target=LLM_SETTINGS)
        if not MIN_CASCADE_LEVEL <= level <= 1.0:
            raise CascadeLevelError(
                f"The cascade level is a confidence between {MIN_CASCADE_LEVEL:.0%} and 100%; "
                f"{level:.0%} is not."
            )
        before = self.cascade_level()
        self._state.set(CASCADE_KEY, round(level, 3))
        if abs(before - level) >= 0.0005:
            self._audit.record_actor(
                actor,
                AuditAction.SETTINGS_CHANGED,
                target=LLM_SETTINGS,
                detail=f"cascade: the rules settle verdicts from {level:.0%} (was {before:.0%})",
            )

    def analyst_name(self) -> str:
        """The endpoint's name, or "rules" for the offline analyst."""
        endpoint = self.endpoint()
        return endpoint.name if endpoint else "rules"
