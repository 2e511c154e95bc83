"""Masking scan: no page or export a user without ``veterans.view_full_pii`` receives carries a
full ID number (18-character pattern) or a full mobile number.

Walks every URL pattern (like tests/test_url_access.py), fills ``<int:pk>``-style arguments with
the primary key of a veteran in the user's own station, GETs it, and scans the body (xlsx/zip
bodies are unpacked first). New pages are covered automatically.
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from veterans.tests.factories import VeteranFactory, make_id_number

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

ID_RE = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
SKIP_NAMES = {"logout", "admin:logout"}


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            full_ns = f"{namespace}:{ns}".strip(":") if ns else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), full_ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}".strip(":") if entry.name else None
            yield prefix + str(entry.pattern), name


def _urls(pk: int, station_code: str) -> list[str]:
    urls = set()
    for route, name in _walk(get_resolver().url_patterns):
        if name in SKIP_NAMES or route.startswith("^") or "(?P" in route:
            continue
        url = re.sub(
            r"<(?:(\w+):)?(\w+)>",
            lambda m: station_code if m.group(2) == "code" else str(pk),
            route,
        )
        urls.add("/" + url)
    return sorted(urls)


def _texts(response) -> list[str]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body[:2] == b"PK":  # xlsx and other zip containers
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
    return [body.decode("utf-8", "replace")]


@pytest.mark.parametrize("who", ["village_clerk", "county_reviewer", "county_stats_viewer"])
def test_no_full_id_or_phone_reaches_a_user_without_the_permission(request, client_for, world, who):
    user = request.getfixturevalue(who)
    assert not user.has_perm("veterans.view_full_pii")
    station = world["villageA1a"]
    numbers = [make_id_number("130902", "19800101", n) for n in (101, 102, 103)]
    phones = ["13911112222", "13733334444", "18655556666"]
    veterans = [VeteranFactory(station=station, id_number=i, phone=p) for i, p in zip(numbers, phones, strict=True)]
    client = client_for(user)
    scanned = []
    for url in _urls(veterans[0].pk, station.code):
        response = client.get(url)
        if response.status_code != 200:
            continue
        scanned.append(url)
        for text in _texts(response):
            found = ID_RE.findall(text)
            assert not found, f"{who} received an ID-shaped number on {url}: {found[:3]}"
            for secret in (*numbers, *phones):
                assert secret not in text, f"{who} received a full number on {url}"
    assert len(scanned) >= 3
    if who != "county_stats_viewer":  # the registry pages themselves were scanned
        assert f"/station/veterans/{veterans[0].pk}/" in scanned and "/station/veterans/" in scanned
