"""Random passwords that pass the portal's own password rules (AUTH_PASSWORD_VALIDATORS)."""

from __future__ import annotations

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

# No look-alikes (0/O, 1/l/I): the password is read off a terminal and typed in once.
_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789" + "!@#%*-_+=?"


def random_password(length: int = 16, user=None) -> str:
    """About 6 bits per character (16 characters ≈ 95 bits), checked against every rule."""
    while True:
        candidate = "".join(secrets.choice(_ALPHABET) for _ in range(length))
        try:
            validate_password(candidate, user)
        except ValidationError:
            continue
        return candidate
