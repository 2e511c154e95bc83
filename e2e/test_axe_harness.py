"""The accessibility harness itself (e2e/axe.py): it records what a page really received — posted
forms and redirects included — and it fails on a serious violation, in either mode.

These tests drive a context of their own (``browser.new_context()``, not the watched ``page``
fixture), so the automatic audit after each test does not see the broken pages served here.
"""

import pytest

from . import axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BROKEN = """<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8"><title>测试页</title>
<style>.care-mode .only-in-care { color: #c8c8c8; }</style></head>
<body><main><h1>测试页</h1>
<p id="pale" style="color:#bbbbbb;background:#ffffff">浅灰色的说明文字</p>
<p class="only-in-care" style="background:#ffffff">关怀模式下变浅的文字</p>
<img src="/static/vendor/leaflet/images/marker-icon.png">
</main></body></html>"""


@pytest.fixture
def own_context(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    yield context
    context.close()


def test_replayed_page_with_violations_is_reported_in_both_modes(own_context, live_server):
    page = own_context.new_page()
    doc = axe.Document(
        url=f"{live_server.url}/harness-check/",
        method="GET",
        status=200,
        headers={"content-type": "text/html; charset=utf-8"},
        body=BROKEN.encode(),
        viewport={"width": 390, "height": 844},
    )
    violations = axe._audit_documents(page, [doc])  # noqa: SLF001 - the harness's own test
    found = {(v.mode, v.rule) for v in violations}
    assert ("normal mode", "color-contrast") in found
    assert ("normal mode", "image-alt") in found  # critical
    # the text that only care mode makes pale fails there and only there
    care_targets = [
        n["target"] for v in violations if v.mode == "关怀模式" and v.rule == "color-contrast" for n in v.nodes
    ]
    normal_targets = [
        n["target"] for v in violations if v.mode == "normal mode" and v.rule == "color-contrast" for n in v.nodes
    ]
    assert ".only-in-care" in care_targets
    assert ".only-in-care" not in normal_targets
    message = axe.report(violations)
    assert "GET " + doc.url in message
    assert "#pale" in message
    assert "Element has insufficient color contrast" in message


def test_recorder_keeps_posted_pages_and_redirects_and_the_portal_passes(
    own_context, live_server, world, village_clerk
):
    from conftest import PASSWORD

    recorder = axe.watch(own_context)
    page = own_context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", village_clerk.username)
    page.fill("#id_password", "wrong-password-1")
    page.click("button[type=submit]")  # the form comes back with its error (a POST answered 200)
    assert page.locator("#login-error").is_visible()
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/station/")
    page.wait_for_load_state()
    recorder.settle()  # the redirect's target is kept once it has arrived whole
    kept = [(d.method, d.url.removeprefix(live_server.url), d.status) for d in recorder.documents]
    assert kept == [
        ("GET", "/accounts/login/", 200),
        ("POST", "/accounts/login/", 200),
        ("POST", "/accounts/login/", 302),
        ("GET", "/station/", 200),
    ]
    assert axe.audit(own_context) == []
