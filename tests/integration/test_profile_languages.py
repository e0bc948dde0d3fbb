"""The profile's working languages survive the company_profiles table, old rows included."""

from __future__ import annotations

import json

from core.bootstrap import AppContext
from core.profile.company import current_profile, default_profile, save_profile


def test_working_languages_round_trip_through_storage(ctx: AppContext) -> None:
    changed = default_profile().model_copy(update={"languages": ["de", "en"]})

    version = save_profile(ctx.state, changed)

    assert ctx.state.profile_version() == version
    assert current_profile(ctx.state).languages == ["de", "en"]
    assert current_profile(ctx.state) == changed


def test_a_profile_stored_before_working_languages_loads_as_english(ctx: AppContext) -> None:
    old = json.loads(default_profile().model_dump_json())
    del old["languages"]
    ctx.state.save_profile_json(json.dumps(old))

    assert ctx.profile().languages == ["en"]
