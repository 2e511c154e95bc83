import pytest

pytestmark = pytest.mark.django_db


def test_admin_index_orders_apps_for_bureau_work(city_bureau, client_for):
    response = client_for(city_bureau).get("/admin/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "沧州市退役军人事务局 管理后台" in body
    positions = [body.index(name) for name in ("退役军人信息", "服务网络", "褒扬荣誉", "就业创业")]
    assert positions == sorted(positions)
    # within the registry app, veterans come before households
    assert body.index("/admin/veterans/veteran/") < body.index("/admin/veterans/household/")


def test_sysadmin_sees_accounts_not_business_data(sysadmin, client_for):
    body = client_for(sysadmin).get("/admin/").content.decode()
    assert "/admin/services/user/" in body
    assert "/admin/veterans/veteran/" not in body
