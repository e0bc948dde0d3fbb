"""Users: an admin sees who is locked out after failed sign-ins, from where, and clears it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from core.access.errors import SignInRefused
from core.access.throttle import FREE_FAILURES
from core.bootstrap import AppContext
from tests.ui.helpers import texts


def test_an_admin_clears_a_sign_in_lock(open_page: Callable[..., AppTest], ctx: AppContext) -> None:
    for _ in range(FREE_FAILURES):
        with pytest.raises(SignInRefused):
            ctx.accounts().sign_in("alice", "somebody guessing", client="203.0.113.9")
    at = open_page("pages/users.py")
    assert not at.exception, [e.value for e in at.exception]
    assert any("**alice** from 203.0.113.9: 5 failed sign-ins" in t for t in texts(at))
    next(b for b in at.button if b.label == "Clear lock").click().run()
    assert any("alice can sign in again at once." in t for t in texts(at))
    assert ctx.accounts().locks(ctx.accounts().directory().find("ann")) == []  # type: ignore[arg-type]
