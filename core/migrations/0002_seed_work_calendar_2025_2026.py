"""Seeds the work calendar from the State Council's notices:
国办发明电〔2024〕12号 (2025) and 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04).
2026 was checked against the published text of the notice; all dates below are verified."""

from datetime import date, timedelta

from django.db import migrations


def _span(first: date, last: date, name: str):
    day = first
    while day <= last:
        yield day, False, name
        day += timedelta(days=1)


def days():
    holidays = [
        # 2025
        (date(2025, 1, 1), date(2025, 1, 1), "元旦"),
        (date(2025, 1, 28), date(2025, 2, 4), "春节"),
        (date(2025, 4, 4), date(2025, 4, 6), "清明节"),
        (date(2025, 5, 1), date(2025, 5, 5), "劳动节"),
        (date(2025, 5, 31), date(2025, 6, 2), "端午节"),
        (date(2025, 10, 1), date(2025, 10, 8), "国庆节、中秋节"),
        # 2026
        (date(2026, 1, 1), date(2026, 1, 3), "元旦"),
        (date(2026, 2, 15), date(2026, 2, 23), "春节"),
        (date(2026, 4, 4), date(2026, 4, 6), "清明节"),
        (date(2026, 5, 1), date(2026, 5, 5), "劳动节"),
        (date(2026, 6, 19), date(2026, 6, 21), "端午节"),
        (date(2026, 9, 25), date(2026, 9, 27), "中秋节"),
        (date(2026, 10, 1), date(2026, 10, 7), "国庆节"),
    ]
    makeup_workdays = [
        date(2025, 1, 26), date(2025, 2, 8), date(2025, 4, 27), date(2025, 9, 28), date(2025, 10, 11),
        date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9), date(2026, 9, 20),
        date(2026, 10, 10),
    ]
    for first, last, name in holidays:
        yield from _span(first, last, name)
    for day in makeup_workdays:
        yield day, True, "调休上班"


def seed(apps, schema_editor):
    CalendarDay = apps.get_model("core", "CalendarDay")
    for day, is_workday, name in days():
        CalendarDay.objects.update_or_create(date=day, defaults={"is_workday": is_workday, "name": name})


def unseed(apps, schema_editor):
    CalendarDay = apps.get_model("core", "CalendarDay")
    CalendarDay.objects.filter(date__in=[d for d, _, _ in days()]).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_work_calendar_and_notifications")]
    operations = [migrations.RunPython(seed, unseed)]
