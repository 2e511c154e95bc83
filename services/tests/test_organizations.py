"""One organization per unified social credit code; the employer is its employer role."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from employment.models import Employer
from employment.tests.factories import EmployerFactory, JobPostingFactory, OrganizationFactory, make_credit_code
from services import roles
from services.actions_support import organization_save
from services.models import AuditEvent, Organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def county_bureau(world, make_user):
    return make_user(roles.ROLE_BUREAU, world["countyA"], username="county_bureau", is_staff=True)


def test_a_credit_code_is_one_unit_whatever_its_spelling(world):
    OrganizationFactory(credit_code=make_credit_code(42), county=world["countyA"])
    copy = Organization(name="同一家", credit_code=f" {make_credit_code(42).lower()} ", county=world["countyB"])
    with pytest.raises(ValidationError) as exc:
        copy.full_clean()
    assert exc.value.message_dict["credit_code"] == ["该统一社会信用代码的单位已登记，无需重复登记"]


def test_bad_credit_code_and_a_county_that_is_not_a_county(world):
    unit = Organization(name="某单位", credit_code="91130902MA0000000X", county=world["townshipA1"])
    with pytest.raises(ValidationError) as exc:
        unit.full_clean()
    assert "校验位错误" in exc.value.message_dict["credit_code"][0]
    assert exc.value.message_dict["county"] == ["所在地须选择县（市、区）"]


def test_employer_reads_its_identity_from_the_unit(world):
    employer = EmployerFactory(name="沧州渤海物流有限公司", county=world["countyB"], credit_code=make_credit_code(7))
    assert (employer.name, employer.credit_code, employer.county) == (
        "沧州渤海物流有限公司",
        make_credit_code(7),
        world["countyB"],
    )
    assert str(employer) == "沧州渤海物流有限公司"
    assert Organization.objects.get(employer=employer).name == "沧州渤海物流有限公司"
    # jurisdiction of the employer follows its unit's county
    assert list(Employer.objects.in_subtree(world["countyB"].code)) == [employer]
    assert not Employer.objects.in_subtree(world["countyA"].code).exists()


def test_renaming_the_unit_renames_the_employer_on_the_board(world):
    employer = EmployerFactory(name="旧名称商贸有限公司", county=world["countyA"])
    posting = JobPostingFactory(employer=employer, title="理货员", description="理货。")
    unit = employer.organization
    unit.name = "新名称商贸有限公司"
    unit.save()
    posting.refresh_from_db()
    assert "名称" in posting.search_grams.split(" ") and "新名" in posting.search_grams.split(" ")


def test_staff_register_a_unit_in_their_county_only(world, county_bureau):
    mine = Organization(name="新华区拥军超市", credit_code=make_credit_code(11), county=world["countyA"])
    organization_save(user=county_bureau, organization=mine)
    assert AuditEvent.objects.filter(action="organization.create", object_id=str(mine.pk)).exists()
    other = Organization(name="运河区拥军超市", credit_code=make_credit_code(12), county=world["countyB"])
    with pytest.raises(PermissionDenied):
        organization_save(user=county_bureau, organization=other)
    assert not Organization.objects.filter(credit_code=make_credit_code(12)).exists()


def test_staff_cannot_move_a_unit_out_of_another_county(world, county_bureau):
    theirs = OrganizationFactory(county=world["countyB"])
    theirs.county = world["countyA"]
    with pytest.raises(PermissionDenied):
        organization_save(user=county_bureau, organization=theirs)


def test_clerks_read_units_but_do_not_register_them(world, county_clerk):
    with pytest.raises(PermissionDenied):
        organization_save(
            user=county_clerk,
            organization=Organization(name="某单位", credit_code=make_credit_code(13), county=world["countyA"]),
        )


def test_admin_units_scoped_and_saved_through_the_action(world, county_bureau, client_for):
    mine = OrganizationFactory(county=world["countyA"])
    theirs = OrganizationFactory(county=world["countyB"])
    c = client_for(county_bureau)
    assert c.get("/admin/services/organization/").status_code == 200
    assert c.get(f"/admin/services/organization/{mine.pk}/change/").status_code == 200
    assert c.get(f"/admin/services/organization/{theirs.pk}/change/").status_code == 404
    response = c.post(
        "/admin/services/organization/add/",
        {"name": "新华区老兵饭店", "credit_code": make_credit_code(21).lower(), "county": world["countyA"].pk},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    unit = Organization.objects.get(name="新华区老兵饭店")
    assert unit.credit_code == make_credit_code(21)
    assert AuditEvent.objects.filter(action="organization.create", object_id=str(unit.pk)).exists()


def test_admin_employer_list_loads_units_in_one_query(world, city_bureau, client_for, django_assert_max_num_queries):
    for i in range(5):
        EmployerFactory(county=world["countyA" if i % 2 else "countyB"])
    c = client_for(city_bureau)
    c.get("/admin/employment/employer/")
    with django_assert_max_num_queries(12):
        assert c.get("/admin/employment/employer/").status_code == 200
