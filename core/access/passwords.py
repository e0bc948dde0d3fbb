"""Passwords and usernames: salted scrypt hashes, constant-time checks, and the rules a new
password or username must meet. No database."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import re
import secrets

from core.access.errors import AccountError

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
# scrypt: 16 MiB of memory and ~50 ms per hash on this class of machine (OWASP's minimum).
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,39}$")


def hash_password(password: str) -> str:
    """`scrypt$n$r$p$salt$hash` with a fresh 16-byte salt (base64, no padding)."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${b64(salt)}${b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` matches `stored`, compared in constant time; False for a bad hash."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = unb64(digest)
        actual = _scrypt(password, unb64(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32
    )


@functools.cache
def nobody_hash() -> str:
    """A hash to check against when the username is unknown, so both cases take the same time."""
    return hash_password(secrets.token_urlsafe(16))


def check_password(password: str, username: str = "") -> None:
    """Raise AccountError with one sentence when the password is too weak to accept."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"A password needs at least {MIN_PASSWORD_LENGTH} characters; "
            f"this one has {len(password)}."
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"A password has at most {MAX_PASSWORD_LENGTH} characters.")
    if username and username.casefold() in password.casefold():
        raise AccountError("A password must not contain the username; choose another.")
    if len(set(password)) < 4:
        raise AccountError("That password repeats too few characters; choose another.")


def clean_username(username: str) -> str:
    cleaned = (username or "").strip().lower()
    if not _USERNAME.match(cleaned):
        raise AccountError(
            "A username has 2 to 40 lower-case letters, digits or . _ @ - characters and starts "
            "with a letter or digit."
        )
    return cleaned


def clean_display_name(display_name: str, username: str) -> str:
    cleaned = " ".join((display_name or "").split()) or username
    if len(cleaned) > 80 or any(ord(ch) < 32 for ch in cleaned):
        raise AccountError("A display name has at most 80 printable characters.")
    return cleaned


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise ValueError("not base64") from exc
