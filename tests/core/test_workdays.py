"""Working-day arithmetic over the work calendar seeded for 2025 and 2026."""

from datetime import date, timedelta

import pytest
import time_machine

from core.models import CalendarDay
from core.workdays import WorkCalendar, add_working_days, is_workday, working_days_between

pytestmark = pytest.mark.django_db


def test_calendar_is_seeded_from_the_notices():
    assert CalendarDay.objects.get(date=date(2025, 1, 28)).name == "春节"
    assert CalendarDay.objects.get(date=date(2026, 2, 14)).is_workday  # 调休上班 (Saturday)
    assert CalendarDay.objects.filter(date__year=2026, is_workday=False).count() == 3 + 9 + 3 + 5 + 3 + 3 + 7


@pytest.mark.parametrize("day, expected", [
    (date(2025, 1, 27), True),   # Monday before 春节
    (date(2025, 1, 28), False),  # 春节 on a Tuesday
    (date(2025, 1, 26), True),   # Sunday, 调休上班
    (date(2025, 2, 8), True),    # Saturday, 调休上班
    (date(2025, 2, 9), False),   # ordinary Sunday
    (date(2026, 10, 10), True),  # Saturday, 调休上班
    (date(2026, 10, 7), False),  # 国庆
    (date(2027, 3, 1), True),    # beyond the seeded years: the ordinary week
])
def test_is_workday(day, expected):
    assert is_workday(day) is expected


def test_across_spring_festival_2025():
    # Fri 24 Jan → Sun 26 Jan (调休) is 1, Mon 27 is 2, then 28 Jan–4 Feb off, Wed 5 Feb is 3.
    assert add_working_days(date(2025, 1, 24), 3) == date(2025, 2, 5)


def test_make_up_saturday_counts():
    # Fri 7 Feb 2025 + 1 working day = Sat 8 Feb (调休上班).
    assert add_working_days(date(2025, 2, 7), 1) == date(2025, 2, 8)


def test_across_national_day_2026():
    # Tue 29 Sep 2026: 30 Sep is 1, 1–7 Oct off, Thu 8 is 2, Fri 9 is 3, Sat 10 (调休) is 4.
    assert add_working_days(date(2026, 9, 29), 4) == date(2026, 10, 10)


def test_ten_working_days_over_spring_festival_2026():
    # Mon 9 Feb 2026: 10,11,12,13 (4), Sat 14 调休 (5), 15–23 off, 24,25,26,27 (9), Sat 28 调休 (10).
    assert add_working_days(date(2026, 2, 9), 10) == date(2026, 2, 28)


def test_backwards_and_zero():
    assert add_working_days(date(2025, 2, 5), -3) == date(2025, 1, 24)
    assert add_working_days(date(2025, 2, 5), 0) == date(2025, 2, 5)


def test_working_days_between():
    assert working_days_between(date(2025, 1, 24), date(2025, 2, 5)) == 3


def test_one_query_per_call(django_assert_num_queries):
    with django_assert_num_queries(1):
        add_working_days(date(2025, 1, 1), 60)


def test_admin_edit_is_honoured():
    CalendarDay.objects.create(date=date(2027, 1, 4), is_workday=False, name="临时放假")
    assert add_working_days(date(2027, 1, 1), 1) == date(2027, 1, 5)


@time_machine.travel(date(2025, 1, 24), tick=False)
def test_case_deadline_in_working_days_uses_the_calendar(estates, county_user):
    from rectification.forms import transition_form
    from rectification.services import case_transition
    from rectification.states import TRANSITIONS
    from tests.rectification.factories import CaseFactory

    case = CaseFactory(estate=estates["haiyang_1"], state="verifying")
    form = transition_form(TRANSITIONS["confirm"], case, county_user, data={
        "verification_result": "true", "verification_note": "属实", "measures": "整改", "responsible_unit": "物业",
        "responsible_person": "李强", "deadline_workdays": "3",
    })
    assert form.is_valid(), form.errors
    case = case_transition(case_id=case.pk, user=county_user, transition="confirm", **form.values)
    assert case.deadline == date(2025, 2, 5)


def test_the_import_calendar_gives_what_add_working_days_gives(django_assert_max_num_queries):
    starts = [date(2025, 1, 20) + timedelta(days=n) for n in range(0, 300, 7)]
    expected = {(start, n): add_working_days(start, n) for start in starts for n in (1, 10, 60)}
    with django_assert_max_num_queries(3):  # its range, then a doubled span for dates that run past it
        calendar = WorkCalendar(date(2025, 1, 20), date(2025, 6, 1))
        assert {(start, n): calendar.add(start, n) for start in starts for n in (1, 10, 60)} == expected
