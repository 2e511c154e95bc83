"""Validation rules of the registry: resident ID numbers (GB 11643-1999) and mobile numbers."""

from __future__ import annotations

import datetime
import functools
import re
import time
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from stdnum import numdb
from stdnum.cn import ric
from stdnum.iso7064 import mod_11_2

# Province-level codes of GB/T 2260 (first two digits of a resident ID number).
PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)
MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")
ID_FORMAT_RE = re.compile(r"^[0-9]{17}[0-9X]$")  # ASCII only: str.isdigit() also accepts other scripts' digits


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: datetime.date
    gender: str  # "M" or "F"
    warning: str = ""


def normalize_id_number(value: str) -> str:
    """THE normaliser of resident ID numbers, used before every check, index and lookup.

    NFKC turns full-width digits and letters (１３０９…Ｘ, typed with a Chinese input method) into
    ASCII; every kind of space (also the full-width 　) is removed; x becomes X.
    """
    value = unicodedata.normalize("NFKC", value or "")
    return "".join(value.split()).upper()


def parse_resident_id(value: str, *, field_label: str = "身份证号") -> ResidentId:
    """Validate an 18-character resident ID number and return what it encodes.

    Raises ValidationError with a Chinese message naming the field. An area code that exists
    but was not yet (or no longer) in force in the birth year is accepted with a warning:
    real people carry such numbers.
    """
    number = normalize_id_number(value)
    if len(number) != 18:
        raise ValidationError(f"{field_label}应为18位，当前为{len(number)}位", code="id_length")
    if not ID_FORMAT_RE.match(number):
        raise ValidationError(f"{field_label}格式不正确：前17位须为数字，末位为数字或X", code="id_format")
    expected = ric.calc_check_digit(number)
    if number[17] != expected:
        raise ValidationError(f"{field_label}校验位错误：末位应为{expected}，请核对号码", code="id_checksum")
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            f"{field_label}中的出生日期{number[6:10]}-{number[10:12]}-{number[12:14]}不是有效日期", code="id_birth"
        ) from None
    today = _today()
    if birth > today:
        raise ValidationError(f"{field_label}中的出生日期{birth:%Y-%m-%d}晚于今天", code="id_birth_future")
    if birth.year < 1900:
        raise ValidationError(f"{field_label}中的出生日期{birth:%Y-%m-%d}早于1900年", code="id_birth_old")
    if number[:2] not in PROVINCE_CODES or number[2:6] == "0000":
        raise ValidationError(f"{field_label}前6位{number[:6]}不是有效的行政区划代码", code="id_area")
    if not _area_known(number[:6]):
        raise ValidationError(f"{field_label}前6位{number[:6]}不是有效的行政区划代码", code="id_area")
    warning = ""
    if not _area_in_force(number[:6], birth.year):
        warning = f"{field_label}前6位{number[:6]}在出生年份未启用，已按历史号码接受"
    gender = "M" if int(number[16]) % 2 == 1 else "F"
    return ResidentId(number=number, birth_date=birth, gender=gender, warning=warning)


def _today() -> datetime.date:
    """Today in the portal's time zone, recomputed at most once a second (bulk imports parse
    100,000s of numbers; ``timezone.localdate()`` costs more than the rest of the check)."""
    now = time.monotonic()
    if now - _TODAY_CACHE[0] > 1.0:
        _TODAY_CACHE[:] = [now, timezone.localdate()]
    return _TODAY_CACHE[1]


_TODAY_CACHE: list = [float("-inf"), None]


@functools.lru_cache(maxsize=8192)
def _area_in_force(area: str, year: int) -> bool:
    """Whether the area code was in force in ``year`` (cached: bulk imports check 100,000s of numbers)."""
    probe = f"{area}{year:04d}0101001"
    try:
        ric.get_birth_place(probe + ric.calc_check_digit(probe + "X"))
    except Exception:  # noqa: BLE001 - stdnum raises its own ValidationError subclasses
        return False
    return True


@functools.lru_cache(maxsize=8192)
def _area_known(area: str) -> bool:
    """Whether the six digits name a known county-level division (not just a known province)."""
    results = numdb.get("cn/loc").info(area)
    return len(results) >= 2 and bool(results[-1][1])


def validate_resident_id(value: str) -> None:
    parse_resident_id(value)


def normalize_mobile(value: str) -> str:
    value = "".join(unicodedata.normalize("NFKC", value or "").split()).replace("-", "")
    if value.startswith("+86"):
        value = value[3:]
    return value


def validate_mobile(value: str, *, field_label: str = "手机号码") -> str:
    number = normalize_mobile(value)
    if not MOBILE_RE.match(number):
        raise ValidationError(f"{field_label}“{value}”不是有效的大陆手机号码（11位，以1开头）", code="mobile")
    return number


# --- 优待证 numbers ----------------------------------------------------------------------
# K CCCCCC YYYY NNNNNN C — 18 characters:
#   K       the kind: T 退役军人优待证, J 军属优待证, Y 遗属优待证
#   CCCCCC  the county-level division code of the holder's station (1309xx; 130900 for the city)
#   YYYY    the year the card was approved
#   NNNNNN  the serial within county and year (all kinds share it)
#   C       ISO 7064 MOD 11-2 check character over the 16 digits (0–9 or X, as in ID numbers)
CARD_NUMBER_RE = re.compile(r"^[TJY]\d{16}[\dX]$")


def normalize_card_number(value: str) -> str:
    return (value or "").strip().replace(" ", "").replace("-", "").upper()


def card_number(letter: str, county: str, year: int, serial: int) -> str:
    digits = f"{county[:6]}{year:04d}{serial:06d}"
    return f"{letter}{digits}{mod_11_2.calc_check_digit(digits)}"


def is_valid_card_number(value: str) -> bool:
    """Well-formed and its check character right (a typo at the counter is caught before any lookup)."""
    number = normalize_card_number(value)
    return bool(CARD_NUMBER_RE.match(number)) and mod_11_2.is_valid(number[1:])
