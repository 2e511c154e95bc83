"""Browser tests: Playwright for Python driving Debian's Chromium against Django's live server.

Screenshots go to e2e/artifacts/ (and docs/screenshots/ for the README's key pages).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from . import axe

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.skip("未安装 Debian 的 chromium（make test 会安装）")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
        "viewport": {"width": 1280, "height": 860},
    }


@pytest.fixture
def screenshot():
    """screenshot(page, name, readme=False): save a PNG under e2e/artifacts (and docs/screenshots)."""

    def take(page, name: str, readme: bool = False) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        if readme:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)
        return path

    return take


@pytest.fixture
def login(live_server):
    """login(page, username, password): sign in through the real login form."""

    def do(page, username: str, password: str):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")

    return do


# --- accessibility: axe-core on every page every journey visits (e2e/axe.py) ------------------
@pytest.fixture
def new_context(new_context, request):
    """pytest-playwright's context factory (behind the ``context`` and ``page`` fixtures), with
    every context it makes watched by the axe recorder."""

    def make(**kwargs):
        context = new_context(**kwargs)
        axe.watch(context, javascript=kwargs.get("java_script_enabled", True))
        request.node.__dict__.setdefault("_axe_contexts", []).append(context)
        return context

    return make


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Once a browser test's body has passed, audit every page it visited (both modes)."""
    result = yield
    contexts = item.__dict__.get("_axe_contexts")
    if contexts:
        axe.check(contexts)
    return result
