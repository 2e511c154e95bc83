"""Browser test: a township clerk logs a consultation (政策咨询) for a veteran of one of its villages
and sees it on the veteran's page."""

import datetime

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_township_clerk_logs_consultation(page, live_server, world, township_clerk, login, screenshot):
    from conftest import PASSWORD
    from services.models import ServiceRecord
    from services.tests.record_factories import ServiceRecordFactory
    from veterans.tests.factories import VeteranFactory

    veteran = VeteranFactory(station=world["villageA1b"], name="孙振国")
    others = [VeteranFactory(station=world[k], name=n) for k, n in (("villageA1a", "刘建军"), ("townshipA1", "陈卫东"))]
    kinds = [ServiceRecord.Kind.VISIT, ServiceRecord.Kind.CARE_VISIT, ServiceRecord.Kind.EMPLOYMENT]
    for i, (vet, kind) in enumerate(zip(others * 3, kinds * 2, strict=False)):
        ServiceRecordFactory(
            veteran=vet, kind=kind, date=datetime.date(2026, 11, 20 - i), summary="入户走访，了解家庭近况"
        )
    ServiceRecordFactory(
        veteran=others[0], kind=ServiceRecord.Kind.AID, date=datetime.date(2026, 11, 10), summary="因病申请临时困难帮扶"
    )

    login(page, township_clerk.username, PASSWORD)
    page.wait_for_url(f"{live_server.url}/station/")
    page.goto(f"{live_server.url}/station/services/new/")
    page.fill("#id_q", "孙振国")
    page.click("button:has-text('查找')")
    page.click("a.list-group-item:has-text('孙振国')")
    page.wait_for_url(f"{live_server.url}/station/services/new/?veteran={veteran.pk}")

    page.select_option("#id_kind", label="政策咨询")
    page.fill("#id_summary", "咨询退役军人优待证办理条件和所需材料")
    screenshot(page, "services_record_form")
    page.click("button:has-text('保存')")
    page.wait_for_url(f"{live_server.url}/station/services/*/")
    assert page.get_by_text("已为孙振国登记政策咨询").is_visible()
    screenshot(page, "services_record_detail")
    record = ServiceRecord.objects.get(veteran=veteran)
    assert record.kind == ServiceRecord.Kind.CONSULTATION
    assert record.handled_by_id == township_clerk.pk
    assert record.station_id == world["villageA1b"].code

    page.goto(f"{live_server.url}/station/veterans/{veteran.pk}/")
    panel = page.locator("#services-panel")
    assert "政策咨询" in panel.inner_text()
    assert "咨询退役军人优待证办理条件" in panel.inner_text()
    panel.scroll_into_view_if_needed()
    screenshot(page, "services_veteran_panel")

    page.goto(f"{live_server.url}/station/services/")
    assert page.locator("tbody tr").count() == 8
    screenshot(page, "services_list", readme=True)
