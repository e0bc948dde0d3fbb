"""What the account service raises for something a person can fix."""

from __future__ import annotations


class AccountError(ValueError):
    """Something about an account a person can fix; the message is one sentence."""


class SignInRefused(AccountError):
    """Wrong username or password, a disabled account, or too many attempts."""
