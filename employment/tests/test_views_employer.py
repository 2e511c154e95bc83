import datetime

import pytest
from django.utils import timezone

from employment.models import ApplicationStatus, JobPosting, PostingStatus

from .factories import ApplicationFactory, JobPostingFactory

pytestmark = pytest.mark.django_db


def _post_data(world, **extra):
    data = {
        "title": "电工",
        "category": "maintenance",
        "county": world["countyA"].code,
        "salary_min": "5000",
        "salary_max": "7000",
        "headcount": "2",
        "education": "senior",
        "veteran_preferred": "on",
        "expires_on": (timezone.localdate() + datetime.timedelta(days=15)).isoformat(),
        "description": "持电工证，退役军人优先。",
    }
    data.update(extra)
    return data


def test_employer_creates_submits_and_sees_rejection(client_for, world, employer_user, county_reviewer):
    c = client_for(employer_user)
    response = c.post("/employers/postings/new/", _post_data(world))
    posting = JobPosting.objects.get(title="电工")
    assert response.status_code == 302 and posting.status == PostingStatus.DRAFT
    assert c.post(f"/employers/postings/{posting.pk}/submit/").status_code == 302
    posting.refresh_from_db()
    assert posting.status == PostingStatus.PENDING
    reviewer = client_for(county_reviewer)
    assert (
        reviewer.post(
            f"/station/employment/review/{posting.pk}/", {"verb": "reject", "reason": "请补充工作地点"}
        ).status_code
        == 302
    )
    body = c.get("/employers/").content.decode()
    assert "请补充工作地点" in body
    assert c.get(f"/employers/postings/{posting.pk}/edit/").status_code == 200
    c.post(f"/employers/postings/{posting.pk}/edit/", _post_data(world, title="电工（持证）"))
    c.post(f"/employers/postings/{posting.pk}/submit/")
    reviewer.post(f"/station/employment/review/{posting.pk}/", {"verb": "publish"})
    posting.refresh_from_db()
    assert posting.status == PostingStatus.PUBLISHED and posting.title == "电工（持证）"


def test_employer_form_errors_in_chinese(client_for, world, employer_user):
    response = client_for(employer_user).post("/employers/postings/new/", _post_data(world, salary_min="9000"))
    assert response.status_code == 200 and "月薪上限不能低于月薪下限" in response.content.decode()


def test_employer_isolation(client_for, posting_a, posting_b, employer_user, other_employer_user):
    app_b = ApplicationFactory(posting=posting_b)
    c = client_for(employer_user)
    body = c.get("/employers/").content.decode()
    assert posting_a.title in body and posting_b.title not in body
    assert c.get(f"/employers/postings/{posting_b.pk}/").status_code == 404
    assert c.get(f"/employers/postings/{posting_b.pk}/edit/").status_code == 404
    assert c.post(f"/employers/postings/{posting_b.pk}/close/").status_code == 404
    assert c.get(f"/employers/applications/{app_b.pk}/").status_code == 404
    assert c.post(f"/employers/applications/{app_b.pk}/", {"to_status": "shortlisted"}).status_code == 404
    app_b.refresh_from_db()
    assert app_b.status == ApplicationStatus.SUBMITTED


def test_employer_moves_own_applications(client_for, posting_a, employer_user):
    app = ApplicationFactory(posting=posting_a)
    c = client_for(employer_user)
    page = c.get(f"/employers/postings/{posting_a.pk}/").content.decode()
    assert app.number in page and app.id_number not in page
    detail = c.get(f"/employers/applications/{app.pk}/").content.decode()
    assert app.masked_id_number in detail and app.id_number not in detail
    c.post(f"/employers/applications/{app.pk}/", {"to_status": "shortlisted"})
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SHORTLISTED


def test_employer_closes_posting(client_for, posting_a, employer_user):
    client_for(employer_user).post(f"/employers/postings/{posting_a.pk}/close/")
    posting_a.refresh_from_db()
    assert posting_a.status == PostingStatus.CLOSED


@pytest.mark.parametrize("who", ["county_clerk", "city_bureau", "auditor"])
def test_employer_pages_refuse_non_employers(request, client_for, who):
    c = client_for(request.getfixturevalue(who))
    assert c.get("/employers/").status_code == 403


def test_employer_pages_require_login(client, posting_a):
    response = client.get("/employers/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_employer_cannot_reach_station_pages(client_for, employer_user, posting_a):
    c = client_for(employer_user)
    assert c.get("/station/employment/").status_code == 403
    assert c.get("/station/employment/review/").status_code == 403


def test_unknown_verb_refused(client_for, employer_user, employer_a, world):
    posting = JobPostingFactory(employer=employer_a, status=PostingStatus.DRAFT)
    assert client_for(employer_user).post(f"/employers/postings/{posting.pk}/publish/").status_code == 403
