from django.core.management.base import BaseCommand

from campaigns.models import ProblemCategory
from campaigns.taxonomy import load_taxonomy


class Command(BaseCommand):
    help = "加载参考数据（问题类别等）。已存在的记录不会被覆盖，可重复运行。"

    def handle(self, *args, **options):
        created = load_taxonomy(ProblemCategory)
        self.stdout.write(f"问题类别：新增 {created} 项，共 {ProblemCategory.objects.count()} 项。")
