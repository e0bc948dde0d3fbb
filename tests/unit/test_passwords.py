"""Password hashing and policy (core.access.passwords, core.access.sessions): no database."""

from __future__ import annotations

import pytest

from core.access.errors import AccountError
from core.access.passwords import check_password, clean_username, hash_password, verify_password
from core.access.sessions import token_hash


def test_a_hash_is_salted_scrypt_and_verifies_only_the_right_password() -> None:
    first = hash_password("correct horse battery")
    second = hash_password("correct horse battery")
    assert first.startswith("scrypt$16384$8$1$")
    assert first != second, "a fresh salt every time"
    assert "correct horse" not in first
    assert verify_password("correct horse battery", first)
    assert verify_password("correct horse battery", second)
    assert not verify_password("correct horse batterY", first)
    assert not verify_password("", first)


@pytest.mark.parametrize(
    "stored", ["", "plain", "md5$abc", "scrypt$x$8$1$AAAA$AAAA", "scrypt$16384$8$1$!!$!!"]
)
def test_a_damaged_or_foreign_hash_never_verifies(stored: str) -> None:
    assert not verify_password("anything at all", stored)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("abc", "at least 12 characters; this one has 3"),
        ("", "at least 12 characters; this one has 0"),
        ("aaaaaaaaaaaaaaaa", "repeats too few characters"),
        ("my name is ann123", "must not contain the username"),
        ("x" * 1025 + "abcd", "at most 1024 characters"),
    ],
)
def test_weak_passwords_are_refused_with_one_sentence(password: str, message: str) -> None:
    with pytest.raises(AccountError) as refused:
        check_password(password, "ann123")
    assert message in str(refused.value)
    assert str(refused.value).count(". ") == 0 and str(refused.value).endswith(".")


def test_a_good_password_passes() -> None:
    check_password("tender season 2026", "ann")


@pytest.mark.parametrize(
    ("typed", "kept"), [("Ann", "ann"), ("  bob.stone ", "bob.stone"), ("a@b.org", "a@b.org")]
)
def test_usernames_are_lower_case_and_trimmed(typed: str, kept: str) -> None:
    assert clean_username(typed) == kept


@pytest.mark.parametrize("typed", ["", "a", "-ann", "ann smith", "ann/../x", "ä" * 3, "a" * 41])
def test_odd_usernames_are_refused(typed: str) -> None:
    with pytest.raises(AccountError, match="A username has"):
        clean_username(typed)


def test_sessions_are_stored_by_hash_not_token() -> None:
    assert token_hash("abc") != "abc"
    assert len(token_hash("abc")) == 64
