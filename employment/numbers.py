"""Application numbers (申请编号): given to an applicant on the public board, then typed back with
the last six characters of the ID number to look the application up.

``A`` + the date + 10 random characters of Crockford's base 32 (50 bits, from ``secrets``): nothing
in one number tells anything about another, and guessing a valid one is hopeless. Until issue 15
the tail was 6 random digits (demo data: a running sequence); those numbers stay valid — the lookup
takes any number as typed, and the per-number miss limit protects old and new alike.
"""

from __future__ import annotations

import datetime
import random
import secrets
import unicodedata

from django.utils import timezone

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base 32: no I, L, O, U
RANDOM_LENGTH = 10
_LOOK_ALIKES = str.maketrans("OIL", "011")


def new_application_number(*, day: datetime.date | None = None, rng: random.Random | None = None) -> str:
    """``rng`` only for deterministic demo data; real numbers come from the system's CSPRNG."""
    day = day or timezone.localdate()
    choose = rng.choice if rng is not None else secrets.choice
    return f"A{day:%Y%m%d}" + "".join(choose(ALPHABET) for _ in range(RANDOM_LENGTH))


def normalize_application_number(value: str | None) -> str:
    """As typed → as stored: full-width characters, spaces and hyphens, lower case, and O/I/L read as
    0/1 after the leading letter (Crockford's rule for characters it never issues)."""
    value = "".join(unicodedata.normalize("NFKC", value or "").split()).replace("-", "").upper()
    return value[:1] + value[1:].translate(_LOOK_ALIKES)
