"""Builds the demo county. Each app contributes a `demo.seed(context)` step; later issues add
theirs to SEED_STEPS so the demo grows with the product."""

import random

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils.module_loading import import_string

from accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from accounts.models import User

SEED_STEPS = [
    "enterprises.demo.seed",
    "communities.demo.seed",
    "enterprises.demo.seed_regions",
    "campaigns.demo.seed",
    "accounts.demo.seed",
    "rectification.demo.seed",
    "complaints.demo.seed",
    "public_revenue.demo.seed",
    "estate_registers.demo.seed",
    "enterprises.demo.seed_credit",
    "inspections.demo.seed",
    "subjects.demo.seed",
    # every app has opened its cases "now": date them consistently before anything is reported
    "portal.demo.date_timelines",
    "complaints.demo.date_replies",
    "rectification.demo.seed_documents",
    "reporting.demo.seed",
    "complaints.demo_hotline.seed",
    "votes.demo.seed",
]


class Command(BaseCommand):
    help = "生成演示数据（休宁县）：行政区划、小区、物业企业、专项行动和各角色演示账号。只在首次运行时生成。"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=20250301, help="随机种子，保证每次生成相同的数据")

    def handle(self, *args, seed: int, **options):
        if User.objects.filter(username="demo-county").exists():
            self.stdout.write("演示数据已存在，未重复生成。")
        else:
            context = {"rng": random.Random(seed)}
            # the demo's texts (tracking codes, replies; sent once committed, so the commit is inside): recorded, not printed
            with override_settings(SMS_BACKEND="core.sms.SilentBackend"), transaction.atomic():
                for step in SEED_STEPS:
                    import_string(step)(context)
            self.stdout.write(self.style.SUCCESS("演示数据已生成。"))
            if context.get("hotline_file"):
                self.stdout.write(f"12345 工单示例文件（上月）：{context['hotline_file']}，"
                                  "可在“投诉受理 → 导入 12345 工单”中导入体验。")
        self.print_logins()

    def print_logins(self):
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, description in DEMO_ACCOUNTS.items():
            self.stdout.write(f"  {username:<16} {description}")
