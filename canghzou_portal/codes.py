"""Rules of the 12-digit statistical division code (统计用区划代码), the station identifier.

The code is a materialised path. Its significant prefix is 4 digits for the city (1309),
6 for a county (130902), 9 for a township (130902001) and 12 for a village. All codes are
exactly 12 digits, so "this station and everything below it" is the closed range
``[prefix + '0'*k, prefix + '9'*k]`` — one index range scan on any database and collation.
"""

from __future__ import annotations

import re

CITY, COUNTY, TOWNSHIP, VILLAGE = "city", "county", "township", "village"
LEVELS = (CITY, COUNTY, TOWNSHIP, VILLAGE)
LEVEL_LABELS = {CITY: "市级", COUNTY: "县级", TOWNSHIP: "乡镇级", VILLAGE: "村级"}
PREFIX_LENGTH = {CITY: 4, COUNTY: 6, TOWNSHIP: 9, VILLAGE: 12}
CODE_RE = re.compile(r"^\d{12}$")


def is_valid_code(code: str) -> bool:
    return bool(CODE_RE.match(code or "")) and code[2:4] != "00"


def level_of(code: str) -> str:
    """The level a well-formed code denotes, read from its trailing zeros."""
    if code[4:] == "00000000":
        return CITY
    if code[6:] == "000000":
        return COUNTY
    if code[9:] == "000":
        return TOWNSHIP
    return VILLAGE


def significant_prefix(code: str) -> str:
    return code[: PREFIX_LENGTH[level_of(code)]]


def subtree_bounds(code: str) -> tuple[str, str]:
    """Lowest and highest code of the subtree rooted at ``code`` (inclusive)."""
    prefix = significant_prefix(code)
    return prefix.ljust(12, "0"), prefix.ljust(12, "9")


def in_subtree(code: str, root: str) -> bool:
    low, high = subtree_bounds(root)
    return low <= code <= high


def parent_code(code: str) -> str | None:
    """The code of the parent division, or None for the city."""
    level = level_of(code)
    if level == CITY:
        return None
    parent_len = PREFIX_LENGTH[LEVELS[LEVELS.index(level) - 1]]
    return code[:parent_len].ljust(12, "0")


def ancestor_codes(code: str) -> list[str]:
    """Codes of every ancestor, nearest first (village → township → county → city)."""
    result = []
    current = parent_code(code)
    while current is not None:
        result.append(current)
        current = parent_code(current)
    return result


def county_code(code: str) -> str | None:
    """The county-level code that contains ``code`` (None for the city itself)."""
    if level_of(code) == CITY:
        return None
    return code[:6].ljust(12, "0")
