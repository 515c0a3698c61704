"""Due-day arithmetic: a due day past the month's end means the month's last day."""

from datetime import date

import pytest

from reporting import periods
from reporting.models import ReportingDuty

LAST_DAYS = {
    2024: [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31],  # leap year
    2025: [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31],
}


@pytest.mark.parametrize("year", [2024, 2025])
@pytest.mark.parametrize("month", range(1, 13))
def test_due_dates_of_every_month(year, month):
    town = ReportingDuty(code="t", name="t", reporter="town", receiver="county_office", period_kind="month", due_day=27)
    county = ReportingDuty(code="c", name="c", reporter="county", receiver="city_bureau", period_kind="month", due_day=30)
    day31 = ReportingDuty(code="d", name="d", reporter="county", receiver="city_bureau", period_kind="month", due_day=31)
    key = f"{year}-{month:02d}"
    last = LAST_DAYS[year][month - 1]
    assert town.due_date(key) == date(year, month, 27)
    assert county.due_date(key) == date(year, month, min(30, last))
    assert day31.due_date(key) == date(year, month, last)
    # the daily job finds the period back from the due day, and no other day
    assert county.period_due_on(date(year, month, min(30, last))).key == key
    assert county.period_due_on(date(year, month, 26)) is None


def test_february_30th_is_the_last_day():
    county = ReportingDuty(code="c", name="c", reporter="county", receiver="city_bureau", period_kind="month", due_day=30)
    assert county.due_date("2024-02") == date(2024, 2, 29)
    assert county.due_date("2025-02") == date(2025, 2, 28)


def test_quarterly_summary_is_due_on_the_5th_of_the_next_quarter():
    quarterly = ReportingDuty.objects.get(code="county-quarterly", region__isnull=True)
    assert quarterly.due_date("2025-Q2") == date(2025, 7, 5)
    assert quarterly.due_date("2025-Q4") == date(2026, 1, 5)
    assert quarterly.period_due_on(date(2026, 1, 5)).key == "2025-Q4"
    assert quarterly.period_due_on(date(2026, 2, 5)) is None


pytestmark = pytest.mark.django_db


def test_the_four_plans_duties_are_seeded():
    duties = {d.code: d for d in ReportingDuty.objects.filter(region__isnull=True)}
    assert (duties["town-monthly"].due_day, duties["town-monthly"].receiver) == (27, "county_office")
    assert (duties["community-monthly"].due_day, duties["county-monthly"].due_day) == (27, 30)
    assert duties["enterprise-monthly"].due_day == 20
    assert duties["county-statistics"].due_day == 25
    assert (duties["county-quarterly"].period_kind, duties["county-quarterly"].due_day) == ("quarter", 5)
    assert duties["county-weekly"].period_kind == "week"
    active = {code for code, duty in duties.items() if duty.is_active}
    assert active == {"town-monthly", "community-monthly", "county-monthly", "enterprise-monthly"}


def test_a_county_overrides_a_general_duty(tree):
    ReportingDuty.objects.create(code="county-monthly", name="本县月报", region=tree["county"], reporter="county",
                                 receiver="city_bureau", due_day=28, report_kind="county_monthly")
    duties = ReportingDuty.objects.for_county(tree["county"]).filter(code="county-monthly")
    assert [d.due_day for d in duties] == [28]
    assert [d.due_day for d in ReportingDuty.objects.for_county(tree["district"]).filter(code="county-monthly")] == [30]


@pytest.mark.parametrize("bad", ["2025-13", "2025-00", "25-06", "2025/06", "", "abcd-ef"])
def test_bad_periods_are_refused_in_chinese(bad):
    with pytest.raises(periods.InvalidPeriod) as exc:
        periods.parse_month(bad)
    assert "报告期" in exc.value.message
