"""Query-count budgets of the long lists (issue 7: at most 12 queries for a page of the ledger, the
complaint list, the estate list and their APIs, whatever the number of rows), and the ids-first
deep pages returning exactly the rows plain OFFSET pagination would."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.pagination import IdsFirstPaginator
from rectification.models import Case
from tests.complaints.factories import complaint
from tests.rectification.factories import CaseFactory, rectifying_case

BUDGET = 12

LISTS = [
    "/rectification/",
    "/rectification/?page=2&page_size=5",
    "/rectification/?overdue=true",
    "/rectification/?sort=-days_overdue&page=2&page_size=5",
    "/api/v1/cases/",
    "/api/v1/cases/?page=2&page_size=5",
    "/complaints/",
    "/api/v1/complaints/?page=2&page_size=3",
    "/communities/estates/",
    "/api/v1/estates/",
]


@pytest.fixture
def rows(estates):
    for i in range(8):
        rectifying_case(estates["haiyang_1"], description=f"海阳{i}")
        CaseFactory(estate=estates["wanan_1"], description=f"万安{i}")
    for i in range(4):
        complaint(estates["haiyang_2"], phone=f"1380000{i:04d}", description=f"投诉{i}")
        complaint(estates["wanan_1"], phone=f"1390000{i:04d}", description=f"投诉{i}")


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("user_fixture", ["county_user", "city_user", "town_user"])
def test_every_long_list_stays_within_the_query_budget(client, request, rows, user_fixture, monkeypatch):
    client.force_login(request.getfixturevalue(user_fixture))
    monkeypatch.setattr(IdsFirstPaginator, "ids_first_from", 0)  # the deep-page path on every page
    counts = {url: _count(client, url) for url in LISTS}
    over = {url: n for url, n in counts.items() if n > BUDGET}
    assert not over, f"over {BUDGET} queries: {over}"


def test_the_budget_does_not_grow_with_rows(client, county_user, estates, rows, monkeypatch):
    client.force_login(county_user)
    monkeypatch.setattr(IdsFirstPaginator, "ids_first_from", 0)
    before = {url: _count(client, url) for url in LISTS}
    for i in range(30):
        CaseFactory(estate=estates["haiyang_2"], description=f"更多{i}")
    for i in range(6):
        complaint(estates["haiyang_1"], phone=f"1370000{i:04d}")
    assert {url: _count(client, url) for url in LISTS} == before


@pytest.mark.parametrize("per_page, number", [(5, 1), (5, 3), (3, 6), (7, 2)])
def test_ids_first_pages_are_the_offset_pages(estates, per_page, number, monkeypatch):
    for i in range(16):
        CaseFactory(estate=estates["haiyang_1" if i % 2 else "wanan_1"], complainant_count=i % 4)
    queryset = Case.objects.for_ledger().order_by("-complainant_count", "-id")
    plain = IdsFirstPaginator(queryset, per_page)
    monkeypatch.setattr(IdsFirstPaginator, "ids_first_from", 10**6)
    expected = [c.pk for c in plain.page(number)]
    monkeypatch.setattr(IdsFirstPaginator, "ids_first_from", 0)
    with CaptureQueriesContext(connection) as ctx:
        page = IdsFirstPaginator(queryset, per_page).page(number)
        got = [c.pk for c in page]
    assert got == expected and got
    assert len(ctx.captured_queries) == 3  # count, the page's ids, its rows
    # the rows carry the list's joins and annotations (no query per row)
    with CaptureQueriesContext(connection) as ctx:
        [(c.estate.community.parent.name, c.is_overdue_db, c.is_listed) for c in page]
    assert len(ctx.captured_queries) == 0


def test_ids_first_keeps_the_last_page_orphans_and_invalid_pages(estates, monkeypatch):
    from django.core.paginator import EmptyPage

    monkeypatch.setattr(IdsFirstPaginator, "ids_first_from", 0)
    for _ in range(11):
        CaseFactory(estate=estates["haiyang_1"])
    paginator = IdsFirstPaginator(Case.objects.order_by("-id"), 5, orphans=1)
    assert paginator.num_pages == 2
    assert len(paginator.page(2)) == 6
    with pytest.raises(EmptyPage):
        paginator.page(3)
    assert len(paginator.get_page("x")) == 5


def test_complaint_list_figures_are_exact_for_a_county(client, county_user, rows):
    client.force_login(county_user)
    body = client.get("/complaints/").content.decode()
    assert "共 <strong>8</strong> 件" in body and 'data-testid="summary-cached"' not in body


def test_row_estimate_only_on_postgresql(estates):
    from core.counts import estimated_rows
    from rectification.models import Case

    CaseFactory(estate=estates["haiyang_1"])
    estimate = estimated_rows(Case.objects.all())
    assert estimate is None if connection.vendor != "postgresql" else estimate >= 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="行数估计来自 PostgreSQL 的执行计划（CI 的第二轮运行）")
def test_a_huge_list_shows_cached_figures_and_says_so(client, city_user, estates, rows, monkeypatch):
    from django.core.cache import cache

    from core import counts

    cache.clear()
    monkeypatch.setattr(counts, "CACHE_ABOVE_ROWS", -1)  # every list counts as huge
    client.force_login(city_user)
    first = client.get("/complaints/").content.decode()
    assert "共 <strong>8</strong> 件" in first and "统计数字每 10 分钟更新一次" in first
    complaint(estates["haiyang_1"], phone="13600000000")
    with CaptureQueriesContext(connection) as ctx:
        again = client.get("/complaints/").content.decode()
    assert "共 <strong>8</strong> 件" in again  # the cached figures, not a new aggregate
    assert not any("COUNT(" in q["sql"].upper() for q in ctx.captured_queries)
    cache.clear()
    assert "共 <strong>9</strong> 件" in client.get("/complaints/").content.decode()


def test_api_counts_are_exact_for_a_county(api_client, county_user, rows):
    api_client.force_authenticate(county_user)
    data = api_client.get("/api/v1/cases/").json()
    assert data["count"] == Case.objects.count() > 16 and data["count_cached_at"] is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="行数估计来自 PostgreSQL 的执行计划（CI 的第二轮运行）")
def test_a_huge_api_list_counts_from_the_cache_and_says_when(api_client, city_user, estates, rows, monkeypatch):
    from django.core.cache import cache

    from core import counts

    cache.clear()
    monkeypatch.setattr(counts, "CACHE_ABOVE_ROWS", -1)
    api_client.force_authenticate(city_user)
    total = Case.objects.count()
    first = api_client.get("/api/v1/cases/").json()
    assert first["count"] == total and first["count_cached_at"]
    CaseFactory(estate=estates["tunxi_1"])
    again = api_client.get("/api/v1/cases/").json()
    assert again["count"] == total and again["count_cached_at"] == first["count_cached_at"]
    cache.clear()
    assert api_client.get("/api/v1/cases/").json()["count"] == total + 1
