"""Keyword search of the job board: the gram index gives exactly the results of LIKE alone."""

import datetime

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from employment import actions, search, selectors
from employment.models import JobPosting, PostingStatus

from .factories import EmployerFactory, JobPostingFactory

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN index on PostgreSQL only")

KEYWORDS = [
    "保",  # 1 character
    "安",
    "运",
    "保安",  # 2 characters
    "司机",
    "安保",
    "物流",
    "沧州",
    "保安队长",  # 3+ characters
    "退役军人",
    "华北重工",
    "A1",  # Latin letters: case-insensitive
    "a1",
    "CDL",
    "cdl司机",
    "java",
    "Java开发",
    "5000",
    "100%",  # LIKE wildcards are escaped
    "a_b",
    "无此岗位",
    "保安 司机",  # several words: all must match
    "沧州 保安 队长",
]


def _reference(q="", county=None, category=None, min_salary=None, partner_only=False) -> list[int]:
    """The board's rule written with the ORM: public postings, filters, LIKE keywords, newest first."""
    qs = JobPosting.objects.public()
    if county:
        qs = qs.filter(county_id=county)
    if category:
        qs = qs.filter(category=category)
    if min_salary:
        qs = qs.filter(salary_max__gte=min_salary)
    if partner_only:
        qs = qs.filter(employer__is_partner=True)
    for word in q.split():
        lookup = "icontains" if any(ch.isascii() and ch.isalpha() for ch in word) else "contains"
        qs = qs.filter(
            Q(**{f"title__{lookup}": word})
            | Q(**{f"employer__organization__name__{lookup}": word})
            | Q(**{f"description__{lookup}": word})
        )
    return list(qs.order_by("-published_at", "-id").values_list("id", flat=True))


def _board(page=1, **filters) -> list[int]:
    return [row.pk for row in selectors.board_page(page=page, **filters)]


@pytest.fixture
def postings(world):
    heavy = EmployerFactory(name="沧州华北重工有限公司", county=world["countyA"])
    logistics = EmployerFactory(name="运河物流股份有限公司", county=world["countyB"], is_partner=False)
    latin = EmployerFactory(name="CDL Transport 沧州分公司", county=world["countyB"])
    rows = [
        (heavy, "保安队长", "负责厂区安全巡逻，退役军人优先。"),
        (heavy, "安保主管", "管理安保团队，月薪5000元以上。"),
        (logistics, "货车司机", "持A1驾照，跑沧州至天津线路。"),
        (logistics, "仓储管理员", "100%全勤奖，a_b班倒。"),
        (latin, "Java开发工程师", "java / Python 均可。"),
        (latin, "cdl司机", "Class A CDL required. 司机岗位。"),
        (heavy, "焊工", "持证上岗，保\n安全生产。"),  # 保 and 安 split by a line break
    ]
    return [
        JobPostingFactory(employer=employer, county=employer.county, title=title, description=description)
        for employer, title, description in rows
    ]


@pytest.mark.parametrize("q", KEYWORDS)
def test_board_search_equals_like_search(postings, q):
    assert _board(q=q) == _reference(q=q)


def test_board_filters_equal_the_orm_rule(world, postings):
    heavy = postings[0].employer
    for status in ("draft", "pending", "rejected", "closed", "expired"):
        JobPostingFactory(employer=heavy, county=heavy.county, title=f"保安{status}", status=status)
    JobPostingFactory(
        employer=heavy,
        county=heavy.county,
        title="保安过期",
        expires_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    JobPostingFactory(employer=heavy, county=heavy.county, title="保安今天截止", expires_on=timezone.localdate())
    combos = [
        {},
        {"county": world["countyA"].code},
        {"category": "security"},
        {"min_salary": 6000},
        {"partner_only": True},
        {"q": "保安", "county": world["countyA"].code, "partner_only": True, "min_salary": 3000},
        {"q": "司机", "county": world["countyB"].code},
    ]
    for filters in combos:
        assert _board(**filters) == _reference(**filters), filters
    assert "保安今天截止" in {row.title for row in selectors.board_page(q="保安")}


def test_board_pages(employer_a):
    now = timezone.now()
    for i in range(45):
        JobPostingFactory(
            employer=employer_a, title=f"岗位{i:02d}号", published_at=now - datetime.timedelta(minutes=i % 7)
        )
    expected = _reference()
    page2 = selectors.board_page(page=2)
    assert [row.pk for row in page2] == expected[20:40] and page2.has_next and page2.has_previous
    page3 = selectors.board_page(page=3)
    assert [row.pk for row in page3] == expected[40:] and not page3.has_next
    row = page3.object_list[0]
    posting = JobPosting.objects.select_related("employer", "county").get(pk=row.pk)
    assert row.published_at == posting.published_at and row.published_at.tzinfo is not None
    assert (row.employer_name, row.employer_is_partner, row.county_name) == (
        posting.employer.name,
        posting.employer.is_partner,
        posting.county.name,
    )


def test_keyword_hits_where_expected(postings):
    def titles(q):
        return {row.title for row in selectors.board_page(q=q)}

    assert titles("保") == {"保安队长", "安保主管", "焊工"}
    assert titles("保安") == {"保安队长"}
    assert titles("华北重工") == {"保安队长", "安保主管", "焊工"}  # employer name
    assert titles("cdl") == {"cdl司机", "Java开发工程师"}  # any letter case; the employer's name


def test_text_grams():
    assert search.text_grams("保安队长").split(" ") == sorted(["保", "安", "队", "长", "保安", "安队", "队长"])
    # no gram holds whitespace; texts do not run into each other
    assert search.text_grams("a b", "cd").split(" ") == sorted(["a", "b", "c", "d", "cd"])


def test_keyword_grams():
    assert search.keyword_grams("保", case_insensitive=False) == ["保"]
    assert search.keyword_grams("保安", case_insensitive=False) == ["保安"]
    assert search.keyword_grams("退役军人", case_insensitive=False) == ["军人", "役军", "退役"]
    assert search.keyword_grams("100%", case_insensitive=False) == ["0%", "00", "10"]
    # case-insensitive words: only runs of caseless characters (CJK, digits) give conditions
    assert search.keyword_grams("java", case_insensitive=True) == []
    assert search.keyword_grams("A级司机", case_insensitive=True) == ["司机", "级司"]
    assert search.keyword_grams("Java开发", case_insensitive=True) == ["开发"]
    assert search.keyword_grams("a1", case_insensitive=True) == ["1"]


def test_posting_edit_updates_search(world, employer_a, employer_user):
    posting = actions.posting_create(
        user=employer_user,
        title="叉车司机",
        description="仓库装卸。",
        category="logistics",
        county=world["countyA"],
        salary_min=4000,
        salary_max=6000,
        headcount=1,
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    actions.posting_update(posting=posting, user=employer_user, title="无人机飞手", description="航拍巡检。")
    JobPosting.objects.filter(pk=posting.pk).update(status=PostingStatus.PUBLISHED, published_at=timezone.now())
    assert _board(q="无人机") == [posting.pk]
    assert _board(q="航拍") == [posting.pk]
    assert _board(q="叉车") == _board(q="装卸") == []


def test_employer_rename_updates_search(world):
    employer = EmployerFactory(name="旧名称实业有限公司", county=world["countyA"])
    posting = JobPostingFactory(employer=employer, county=employer.county, title="保洁员", description="日常保洁。")
    assert _board(q="旧名称") == [posting.pk]
    employer.organization.name = "渤海新区港口集团"  # the name is the unit's (services.Organization)
    employer.organization.save()
    assert _board(q="港口集团") == [posting.pk]
    assert _board(q="旧名称") == []
    posting.refresh_from_db()
    assert "港口" in posting.search_grams.split(" ")


@on_postgresql
def test_gram_index_is_on_the_expression_the_board_uses():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'posting_search_grams'")
        (definition,) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM pg_statistic_ext WHERE stxname = 'posting_search_grams_stats'")
        assert cursor.fetchone() == (1,)
    assert "USING gin (employment_posting_grams(search_grams))" in definition
    assert "WHERE ((status)::text = 'published'::text)" in definition
    assert search.PG_GRAMS_SQL % "search_grams" == "employment_posting_grams(search_grams)"


@on_postgresql
def test_board_query_has_the_gram_condition(postings):
    with CaptureQueriesContext(connection) as queries:
        selectors.board_page(q="保安 Java开发")
    (sql,) = [q["sql"] for q in queries.captured_queries]
    assert """employment_posting_grams("employment_jobposting".search_grams) @> '{保安,开发}'::text[]""" in sql
    # the public rule is public()'s own, compiled, with the status a constant for the partial index
    assert """"employment_jobposting"."status" = 'published'""" in sql
