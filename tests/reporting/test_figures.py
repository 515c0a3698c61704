"""The figure providers: each app's figures by unit, from aggregate queries."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from communities.models import RegionLevel
from reporting import figures

pytestmark = pytest.mark.django_db


def this_month():
    today = timezone.localdate()
    return today.replace(day=1), today


def test_all_providers_are_registered_with_unique_labels():
    names = [r.name for r in figures.registrations()]
    assert names[0] == "rectification" and {"complaints", "inspections", "public_revenue"} <= set(names)
    labels = [f.label for f in figures.figure_list()]
    assert len(labels) == len(set(labels))


def test_a_provider_module_that_does_not_import_fails_loudly(monkeypatch):
    """A report never goes out quietly without a provider's figures."""
    monkeypatch.setattr(figures, "PROVIDER_MODULES", [*figures.PROVIDER_MODULES, "reporting.providers_missing"])
    with pytest.raises(ModuleNotFoundError):
        figures.figure_list()


def test_rectification_figures_by_town_and_by_community(tree, ledger):
    start, end = this_month()
    by_town = figures.collect(tree["county"], start, end)
    assert set(by_town) == {tree["haiyang"].pk, tree["wanan"].pk}
    haiyang = by_town[tree["haiyang"].pk]
    assert (haiyang["cases_opened"], haiyang["rectifying"], haiyang["closed"], haiyang["overdue"]) == (3, 2, 1, 1)
    assert (haiyang["group_A_opened"], haiyang["group_B_opened"], haiyang["group_C_closed"]) == (1, 1, 1)
    by_community = figures.collect(tree["haiyang"], start, end, level=RegionLevel.COMMUNITY)
    assert by_community[tree["chengbei"].pk]["overdue"] == 1
    assert by_community[tree["xiuyang"].pk]["overdue"] == 0


def test_a_period_before_the_cases_has_no_new_cases(tree, ledger):
    old = date(2020, 1, 1)
    by_town = figures.collect(tree["county"], old, old + timedelta(days=30))
    assert all(v["cases_opened"] == 0 and v["rectifying"] == 0 for v in by_town.values())


def test_complaint_channels_and_satisfaction(tree, estates):
    from campaigns.models import ProblemCategory
    from complaints.models import Complaint

    category = ProblemCategory.objects.get(code="A1")
    now = timezone.now()
    rows = [("12345", "satisfied"), ("12345", ""), ("petition", "unsatisfied"), ("questionnaire", "basically")]
    for n, (channel, satisfaction) in enumerate(rows):
        Complaint.objects.create(
            tracking_code=f"T{n:08d}", channel=channel, estate=estates["haiyang_1"], region_path=estates["haiyang_1"].community.path,
            category=category, description="电梯坏了", satisfaction=satisfaction, rated_at=now if satisfaction else None,
        )
    start, end = this_month()
    haiyang = figures.collect(tree["county"], start, end)[tree["haiyang"].pk]
    assert (haiyang["complaints_total"], haiyang["complaints_12345"], haiyang["complaints_petition"]) == (4, 2, 1)
    assert haiyang["complaints_other_channels"] == 1
    assert (haiyang["satisfaction_satisfied"], haiyang["satisfaction_basically"], haiyang["satisfaction_unsatisfied"]) == (1, 1, 1)


def test_inspection_coverage(tree, estates):
    from inspections.models import Visit

    Visit.objects.create(estate=estates["haiyang_1"], kind="inspection", status="submitted", visited_on=timezone.localdate())
    Visit.objects.create(estate=estates["haiyang_1"], kind="spot_check", status="submitted", visited_on=timezone.localdate())
    Visit.objects.create(estate=estates["haiyang_2"], kind="self_check", status="submitted", visited_on=timezone.localdate())
    start, end = this_month()
    by_town = figures.collect(tree["county"], start, end)
    assert (by_town[tree["haiyang"].pk]["estates_managed"], by_town[tree["haiyang"].pk]["estates_inspected"]) == (2, 1)
    assert by_town[tree["wanan"].pk]["estates_inspected"] == 0


def test_collect_uses_a_constant_number_of_queries(tree, ledger, django_assert_max_num_queries):
    start, end = this_month()
    with django_assert_max_num_queries(14):  # the subjects' coverage provider adds its two
        figures.collect(tree["county"], start, end)


def test_money_figures_survive_the_snapshot_and_the_workbook(tree, town_user, office_user, monkeypatch, tmp_path):
    from decimal import Decimal

    from openpyxl import load_workbook

    from reporting import periods, services
    from reporting.workbook import build_workbook

    figures.registrations()  # load the real providers first

    def money(region, start, end, *, level):
        return {tree["haiyang"].pk: {"test_amount": Decimal("1234.56")}, tree["wanan"].pk: {"test_amount": Decimal("0.44")}}

    monkeypatch.setitem(figures._registry, "test_money", figures.Registration(
        "test_money", money, (figures.Figure("test_amount", "测试金额（元）", "测试"),)))
    period = timezone.localdate().strftime("%Y-%m")
    report = services.unit_report_save(user=town_user, period=periods.parse_month(period), progress="完成", submit=True)
    assert report.snapshot["figures"]["test_amount"] == "1234.56"
    services.report_review(user=office_user, report_kind="unit", report_id=report.pk, action="accept")
    target = tmp_path / "money.xlsx"
    build_workbook(county=tree["county"], period=periods.parse_month(period), target=str(target))
    rows = list(load_workbook(target)["统计表"].iter_rows(values_only=True))
    column = rows[1].index("测试金额（元）")
    assert [r[column] for r in rows[2:]] == [1234.56, 0.44, 1235.0]
