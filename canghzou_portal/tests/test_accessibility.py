"""Issue 23 on the server side: the 关怀模式 switch (cookie, safe return, no open redirect, cached
pages kept apart), forms that announce their errors, the admin's hidden headers in Chinese, and
dates written 2026年12月2日 on public pages. The browser side is in e2e/ (axe-core, keyboard)."""

from __future__ import annotations

import datetime
import gettext
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import MinimumLengthValidator, validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from canghzou_portal import care_mode

pytestmark = pytest.mark.django_db

LOCALE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"
CN_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")


@pytest.fixture
def posting(world):
    from employment.tests.factories import EmployerFactory, JobPostingFactory

    employer = EmployerFactory(name="沧州华北重工有限公司", county=world["countyA"])
    return JobPostingFactory(
        employer=employer, county=world["countyA"], title="安保主管", expires_on=datetime.date(2026, 12, 2)
    )


@pytest.fixture
def fresh_board_cache():
    from employment import board_cache

    cache.clear()
    board_cache._local.clear()
    yield
    cache.clear()
    board_cache._local.clear()


# --- 关怀模式 switch ---------------------------------------------------------------------------
def test_switch_on_sets_a_lasting_cookie_and_returns_to_the_page(client):
    response = client.get("/care-mode/", {"mode": "on", "next": "/jobs/?q=安保&county=130902000000"})
    assert response.status_code == 302
    assert response["Location"] == "/jobs/?q=%E5%AE%89%E4%BF%9D&county=130902000000"
    cookie = response.cookies[care_mode.COOKIE]
    assert cookie.value == "1"
    assert cookie["max-age"] == 365 * 24 * 60 * 60
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert 'class="care-mode"' in client.get("/").content.decode()


def test_switch_off_removes_the_cookie(client):
    client.cookies[care_mode.COOKIE] = "1"
    response = client.get("/care-mode/", {"mode": "off", "next": "/stations/"})
    assert response["Location"] == "/stations/"
    assert response.cookies[care_mode.COOKIE]["max-age"] == 0
    assert 'class="care-mode"' not in client.get("/").content.decode()


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "///evil.example/",
        "/\\evil.example/",
        "\\\\evil.example/",
        "/\t/evil.example/",
        "/\n/evil.example/",
        "javascript:alert(1)",
        "jobs/",
        "",
    ],
)
def test_switch_never_redirects_off_the_site(client, target):
    response = client.get("/care-mode/", {"mode": "on", "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies[care_mode.COOKIE].value == "1"  # the mode is still switched on


def test_switch_refuses_an_unknown_mode_in_chinese_and_posts(client):
    response = client.get("/care-mode/", {"mode": "big", "next": "/"})
    assert response.status_code == 400
    assert "关怀模式" in response.content.decode()
    assert care_mode.COOKIE not in response.cookies
    assert client.post("/care-mode/", {"mode": "on"}).status_code == 405


@pytest.mark.parametrize(
    "url",
    ["/", "/jobs/", "/stations/", "/honors/", "/jobs/fairs/", "/jobs/training/", "/jobs/applications/status/",
     "/accounts/login/"],
)  # fmt: skip
def test_every_public_page_has_the_switch_and_the_skip_link(client, world, url):
    html = client.get(url).content.decode()
    assert 'class="btn btn-sm btn-outline-light care-switch"' in html
    assert f"/care-mode/?mode=on&amp;next={url}" in html.replace("%2F", "/")
    assert '<a class="skip-link" href="#content">跳到主要内容</a>' in html
    client.cookies[care_mode.COOKIE] = "1"
    html = client.get(url).content.decode()
    assert '<html lang="zh-Hans" class="care-mode">' in html
    assert "退出关怀模式" in html


def test_clerk_pages_have_the_switch(client_for, village_clerk):
    html = client_for(village_clerk).get("/station/").content.decode()
    assert "care-switch" in html and "/care-mode/?mode=on&amp;next=/station/" in html


def test_cached_job_board_pages_keep_the_two_modes_apart(client, posting, fresh_board_cache):
    assert settings.SESSION_COOKIE_NAME not in client.cookies  # an anonymous visitor: whole-page cache
    for _ in range(2):
        assert 'class="care-mode"' not in client.get("/jobs/").content.decode()
        assert 'class="care-mode"' not in client.get(f"/jobs/{posting.pk}/").content.decode()
    care = Client()
    care.cookies[care_mode.COOKIE] = "1"
    for _ in range(2):
        assert 'class="care-mode"' in care.get("/jobs/").content.decode()
        assert 'class="care-mode"' in care.get(f"/jobs/{posting.pk}/").content.decode()
    assert 'class="care-mode"' not in client.get("/jobs/").content.decode()


# --- forms announce their errors ----------------------------------------------------------------
def _input(html: str, field_id: str) -> str:
    match = re.search(rf"<(?:input|select|textarea)[^>]*\bid=\"{field_id}\"[^>]*>", html)
    assert match, field_id
    return match.group(0)


def test_crispy_form_errors_are_tied_to_their_fields(client, posting):
    html = client.post(f"/jobs/{posting.pk}/apply/", {"name": "", "id_number": "123", "phone": ""}).content.decode()
    for field in ("id_name", "id_id_number", "id_phone", "id_stated_county"):
        tag = _input(html, field)
        assert 'aria-invalid="true"' in tag, tag
        described = re.search(r'aria-describedby="([^"]*)"', tag).group(1).split()
        assert f"{field}_error" in described, tag
        for target in described:  # every id it names exists: the help text and the error
            assert f'id="{target}"' in html, target
    assert re.search(r'aria-describedby="id_phone_helptext id_phone_error"', _input(html, "id_phone"))
    # one summary, read out as an alert, each error a link to its field
    assert html.count('class="alert alert-danger form-error-summary" role="alert"') == 1
    assert '<a href="#id_name">姓名：请填写姓名</a>' in html
    assert '<a href="#id_phone">手机号码：请填写手机号码</a>' in html
    # a field without an error says nothing of the kind
    assert "aria-invalid" not in _input(html, "id_message")


def test_clerk_registration_form_errors_are_tied_to_their_fields(client_for, village_clerk):
    html = client_for(village_clerk).post("/station/veterans/new/", {"name": ""}).content.decode()
    tag = _input(html, "id_name")
    assert 'aria-invalid="true"' in tag and 'aria-describedby="id_name_error"' in tag
    assert 'id="id_name_error"' in html
    assert html.count("提交的信息有误") == 1


def test_login_error_is_tied_to_both_fields(client, village_clerk):
    html = client.post("/accounts/login/", {"username": village_clerk.username, "password": "wrong"}).content.decode()
    assert 'role="alert" id="login-error"' in html
    for field in ("id_username", "id_password"):
        tag = _input(html, field)
        assert 'aria-invalid="true"' in tag and 'aria-describedby="login-error"' in tag


def test_hand_written_filter_field_errors_are_tied_to_their_fields(client, world):
    html = client.get("/honors/", {"year": "abc"}).content.decode()
    tag = _input(html, "id_year")
    assert 'aria-invalid="true"' in tag and 'aria-describedby="id_year_error"' in tag
    assert re.search(r'id="id_year_error"[^>]*>.*?\S', html, re.S)
    assert "aria-invalid" not in _input(client.get("/honors/", {"year": "2025"}).content.decode(), "id_year")


# --- the admin's screen-reader headers, and Django's other untranslated strings ---------------
def test_admin_index_table_headers_are_chinese(client_for, superuser):
    html = client_for(superuser).get("/admin/").content.decode()
    for english, chinese in (
        ("Model name", "模型名称"),
        ("Add link", "添加链接"),
        ("Change or view list link", "修改或查看列表链接"),
    ):
        assert english not in html
        assert f'<th scope="col">{chinese}</th>' in html


def test_admin_javascript_catalogue_has_the_selector_strings(client_for, superuser):
    js = client_for(superuser).get("/admin/jsi18n/").content.decode()
    for text in ("全选%s", "删除选中的%s"):
        assert text in js or json.dumps(text)[1:-1] in js


def test_password_length_errors_are_chinese():
    with pytest.raises(ValidationError) as info:
        validate_password("Ab3$short")  # the portal's own validator
    assert any(m.startswith("密码太短") for m in info.value.messages)
    with pytest.raises(ValidationError) as info:
        MinimumLengthValidator(10).validate("Ab3$short")  # Django's, translated by locale/
    assert info.value.messages == ["密码太短。至少需要 10 个字符。"]


def _po_entries(path: Path) -> dict[str, str]:
    """msgid → msgstr (msgstr[0] for plurals) of the portal's one-line .po entries."""
    entries, msgid = {}, None
    for line in path.read_text(encoding="utf-8").splitlines():
        if m := re.match(r'msgid "(.+)"$', line):
            msgid = m.group(1)
        elif (m := re.match(r'msgstr(?:\[0\])? "(.+)"$', line)) and msgid:
            entries[msgid.encode().decode("unicode_escape").encode("latin-1").decode()] = m.group(1)
            msgid = None
    return entries


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_committed_mo_files_match_their_po_files(domain):
    """The .mo is committed (no gettext needed to run the portal): it must be compiled from the
    current .po — run `make messages` after editing one."""
    entries = _po_entries(LOCALE / f"{domain}.po")
    assert entries
    with open(LOCALE / f"{domain}.mo", "rb") as fh:
        catalogue = gettext.GNUTranslations(fh)
    for msgid, msgstr in entries.items():
        assert catalogue.gettext(msgid) == msgstr or catalogue.ngettext(msgid, msgid, 1) == msgstr, msgid


# --- dates on public pages -------------------------------------------------------------------------
def test_public_pages_write_dates_in_chinese(client, posting):
    from employment.tests.factories import JobFairFactory

    detail = client.get(f"/jobs/{posting.pk}/").content.decode()
    assert "2026年12月2日" in detail
    assert not re.search(r"\d{4}-\d{2}-\d{2}", detail)
    board = client.get("/jobs/").content.decode()
    assert "截止2026年12月2日" in board
    published = timezone.localtime(posting.published_at).date()
    assert f"发布于{published.year}年{published.month}月{published.day}日" in board
    assert "截止2026年12月2日" in client.get("/jobs/feed/").content.decode()
    JobFairFactory(title="退役军人专场招聘会", date=datetime.date(2026, 12, 2))
    assert "2026年12月2日" in client.get("/jobs/fairs/").content.decode()
