"""Every URL pattern is either public on purpose (listed here) or refuses anonymous users.

A new URL fails this test until it requires a login or is added to PUBLIC_URL_NAMES.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

PUBLIC_URL_NAMES = {
    "home",
    "healthz",
    "care_mode",
    "login",
    "logout",
    "services:station_finder",
    "services:station_public_detail",
    "admin:login",
    "admin:logout",
    # public job board, honor roll (added as the apps land)
    "employment:job_list",
    "employment:job_detail",
    "employment:job_apply",
    "employment:job_apply_done",
    "employment:job_feed",
    "employment:application_status",
    "employment:training_list",
    "employment:fair_list",
    "employment:fair_detail",
    # the partner API: its schema is public documentation; unknown addresses answer a JSON 404
    "api_v1:schema",
    "api_v1:root",
    "api_v1:not_found",
    "honors:honor_roll",
}

SAMPLE_ARGS = {
    "int": "1",
    "str": "130902000000",
    "path": "1",
    "slug": "x",
    "uuid": "00000000-0000-0000-0000-000000000000",
}


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            full_ns = f"{namespace}:{ns}".strip(":") if ns else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), full_ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}".strip(":") if entry.name else None
            yield prefix + str(entry.pattern), name


def _concrete(route: str) -> str | None:
    if route.startswith("^"):  # regex routes (admin's app_list) — fill the app label group
        route = route.lstrip("^").rstrip("$")
        route = re.sub(r"\(\?P<app_label>[^)]*\)", "services", route)
        if "(" in route or "\\" in route:
            return None
        return "/" + route
    route = re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: SAMPLE_ARGS.get(m.group(1) or "str", "1"), route)
    return "/" + route


def all_routes():
    return sorted({(route, name) for route, name in _walk(get_resolver().url_patterns)}, key=lambda r: r[0])


def test_every_url_is_public_or_refuses_anonymous(client):
    offenders = []
    checked = 0
    for route, name in all_routes():
        if name in PUBLIC_URL_NAMES:
            continue
        url = _concrete(route)
        if url is None:
            continue
        checked += 1
        response = client.get(url)
        refused = response.status_code in (401, 403, 405) or (
            response.status_code == 302 and "login" in response.get("Location", "")
        )
        if not refused:
            offenders.append(f"{url} ({name}) -> {response.status_code}")
    assert checked > 10
    assert not offenders, "URLs open to anonymous users but not listed as public:\n" + "\n".join(offenders)


def test_public_names_exist_or_are_pending():
    names = {name for _route, name in all_routes()}
    core = {"home", "healthz", "login", "services:station_finder"}
    assert core <= names
