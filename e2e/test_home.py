import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_title_in_chinese(page, live_server, screenshot):
    page.goto(live_server.url + "/")
    assert "沧州市退役军人" in page.title()
    assert page.get_by_role("link", name="查找就业岗位").is_visible()
    screenshot(page, "home", readme=True)


def test_village_clerk_sees_dashboard(page, live_server, world, village_clerk, login, screenshot):
    from conftest import PASSWORD

    login(page, village_clerk.username, PASSWORD)
    page.wait_for_url(f"{live_server.url}/station/")
    assert page.locator("h1").inner_text().startswith("新华区1街道1社区")
    assert page.get_by_text("本站为村级服务站").is_visible()
    screenshot(page, "village_dashboard")
