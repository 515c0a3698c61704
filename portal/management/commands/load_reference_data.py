import importlib

from django.apps import apps
from django.core.management.base import BaseCommand

from campaigns.models import ProblemCategory
from campaigns.taxonomy import load_taxonomy
from complaints.vocabulary import load_defaults
from reporting.duties import load_duties


def load_work_calendar() -> int:
    """The holiday and 调休 days of the seeded years that are missing (admin edits are kept)."""
    seed = importlib.import_module("core.migrations.0002_seed_work_calendar_2025_2026")
    CalendarDay = apps.get_model("core", "CalendarDay")
    existing = set(CalendarDay.objects.values_list("date", flat=True))
    missing = [CalendarDay(date=day, is_workday=is_workday, name=name)
               for day, is_workday, name in seed.days() if day not in existing]
    CalendarDay.objects.bulk_create(missing)
    return len(missing)


class Command(BaseCommand):
    help = "加载参考数据（问题类别、工作日历、报送任务）。已存在的记录不会被覆盖，可重复运行。"

    def handle(self, *args, **options):
        created = load_taxonomy(ProblemCategory)
        self.stdout.write(f"问题类别：新增 {created} 项，共 {ProblemCategory.objects.count()} 项。")
        self.stdout.write(f"工作日历：补充 {load_work_calendar()} 天。")
        created = load_defaults(apps.get_model("complaints", "HotlineVocabulary"), ProblemCategory)
        self.stdout.write(f"12345 平台用语：新增 {created} 项。")
        load_duties(apps.get_model("reporting", "ReportingDuty"))
        self.stdout.write("报送任务：已核对。")
