"""Encryption at rest for ID and phone numbers, and their keyed blind index.

* ``EncryptedCharField`` stores Fernet tokens (AES-128-CBC + HMAC-SHA256, from the
  ``cryptography`` package). ``FIELD_ENCRYPTION_KEY`` may list several comma-separated keys:
  the first encrypts, all decrypt (MultiFernet), which is how keys are rotated
  (see docs/security.md).
* ``blind_index(value)`` is HMAC-SHA256 keyed with ``BLIND_INDEX_KEY``: deterministic, so it
  carries uniqueness and exact lookup without revealing the number.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@cache
def _fernet(keys: str) -> MultiFernet:
    return MultiFernet([Fernet(k.strip().encode()) for k in keys.split(",") if k.strip()])


def fernet() -> MultiFernet:
    return _fernet(settings.FIELD_ENCRYPTION_KEY)


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:  # wrong key: never fall back to showing the token
        raise ValueError("无法解密字段：密钥不匹配") from exc


def blind_index(value: str) -> str:
    if not value:
        return ""
    # hmac.digest: the one-shot C implementation (same result as hmac.new(...).hexdigest()).
    return hmac.digest(settings.BLIND_INDEX_KEY.encode(), value.encode(), hashlib.sha256).hex()


class EncryptedCharField(models.TextField):
    """A text column that holds a Fernet token; Python code sees the plain value.

    It cannot be filtered on (tokens are randomised): filter on the blind-index column.
    """

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def to_python(self, value):
        return value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))


def mask_id_number(value: str | None) -> str:
    """``130902********1234``: the area code and the last four characters."""
    if not value:
        return ""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    """``138****5678``."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str | None) -> str:
    """``张*明``, ``欧**修`` (first and last character), ``张*`` for two characters."""
    value = (value or "").strip()
    if len(value) <= 1:
        return "*" if value else ""
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]
