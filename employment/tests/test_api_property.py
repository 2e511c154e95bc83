"""Property: for any mix of postings, the API shows exactly the job board's postings, in the
board's order, with and without the county and category filters — both are
``JobPosting.objects.public()`` (hypothesis; ``hypothesis.extra.django.TestCase`` so that no
rows leak from one example into the next)."""

from __future__ import annotations

import datetime

from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from conftest import _make_world
from employment import selectors
from employment.models import JobCategory, JobPosting, PostingStatus

from .factories import EmployerFactory, make_api_key

COUNTIES = ("130902000000", "130903000000")
CATEGORIES = (JobCategory.SECURITY, JobCategory.LOGISTICS, JobCategory.IT)

posting_specs = st.lists(
    st.fixed_dictionaries(
        {
            "status": st.sampled_from(PostingStatus.values),
            "expires_in": st.integers(min_value=-3, max_value=3),  # days from today (Asia/Shanghai)
            "published_hours_ago": st.sampled_from((1, 1, 5, 30, 200)),  # ties on purpose
            "county": st.sampled_from(COUNTIES),
            "category": st.sampled_from(CATEGORIES),
            "employer": st.integers(min_value=0, max_value=1),
        }
    ),
    max_size=14,
)
filters = st.fixed_dictionaries(
    {"county": st.sampled_from((None, *COUNTIES)), "category": st.sampled_from((None, *CATEGORIES))}
)


class ApiVisibilityIsTheBoards(TestCase):
    @classmethod
    def setUpTestData(cls):
        world = _make_world()
        cls.employers = [
            EmployerFactory(county=world["countyA"], name="甲公司"),
            EmployerFactory(county=world["countyB"], name="乙公司"),
        ]
        cls.key = make_api_key(requests_per_minute=1_000_000)[1]

    def _api_ids(self, county, category) -> list[int]:
        params = {"page_size": 5}
        if county:
            params["county"] = county
        if category:
            params["category"] = category
        ids, page = [], 1
        while True:
            response = self.client.get(
                "/api/v1/postings/", {**params, "page": page}, HTTP_AUTHORIZATION=f"Api-Key {self.key}"
            )
            self.assertEqual(response.status_code, 200, response.content)
            body = response.json()
            ids += [r["id"] for r in body["results"]]
            if not body["next"]:
                return ids
            page += 1

    @staticmethod
    def _board_ids(county, category) -> list[int]:
        ids, page = [], 1
        while True:
            board = selectors.board_page(page=page, county=county, category=category, per_page=5)
            ids += [row.pk for row in board.object_list]
            if not board.has_next:
                return ids
            page += 1

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(specs=posting_specs, chosen=filters)
    def test_api_postings_equal_the_board(self, specs, chosen):
        today, now = timezone.localdate(), timezone.now()
        for n, spec in enumerate(specs):
            was_published = spec["status"] in (PostingStatus.PUBLISHED, PostingStatus.CLOSED, PostingStatus.EXPIRED)
            JobPosting.objects.create(
                employer=self.employers[spec["employer"]],
                title=f"岗位{n}",
                description="退役军人优先",
                category=spec["category"],
                county_id=spec["county"],
                salary_min=3000,
                salary_max=5000,
                status=spec["status"],
                published_at=now - datetime.timedelta(hours=spec["published_hours_ago"]) if was_published else None,
                expires_on=today + datetime.timedelta(days=spec["expires_in"]),
            )
        public = JobPosting.objects.public()
        if chosen["county"]:
            public = public.filter(county_id=chosen["county"])
        if chosen["category"]:
            public = public.filter(category=chosen["category"])
        expected = list(public.order_by("-published_at", "-id").values_list("id", flat=True))
        board = self._board_ids(chosen["county"], chosen["category"])
        api = self._api_ids(chosen["county"], chosen["category"])
        self.assertEqual(board, expected)
        self.assertEqual(api, board)
