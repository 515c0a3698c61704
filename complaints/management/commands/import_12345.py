"""Scheduled 12345 imports: the same path as the staff page (same checks, same scope as the named
user), printing the preview's counts; --json prints one JSON object. Exits non-zero when nothing
could be imported."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from complaints import importer
from core.errors import DomainError


class Command(BaseCommand):
    help = "导入 12345 工单文件（.xlsx、.xls、.csv），与“导入 12345 工单”页面相同的检查和权限"

    def add_arguments(self, parser):
        parser.add_argument("file", help="12345 平台导出的文件")
        parser.add_argument("--user", required=True, help="以该用户的身份和管辖范围导入")
        parser.add_argument("--dry-run", action="store_true", help="只预览，不写入")
        parser.add_argument("--valid-only", action="store_true", help="有错误行时只导入有效行")
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")

    def handle(self, *args, file, user, dry_run, valid_only, json: bool, **options):
        account = User.objects.filter(username=user, is_active=True).select_related("region").first()
        if account is None:
            raise CommandError(f"用户“{user}”不存在或已停用。")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file}")
        data = path.read_bytes()
        try:
            if dry_run:
                result = importer.preview(data, user=account, filename=path.name)
            else:
                result = importer.import_12345(data, user=account, valid_only=valid_only, filename=path.name)
        except DomainError as exc:
            if json:
                self.stdout.write(_json({"ok": False, "error": exc.message}))
                raise SystemExit(1) from None
            raise CommandError(exc.message) from None
        counts = result.counts()
        ok = counts["new"] > 0 if dry_run else counts["imported"] > 0
        if json:
            self.stdout.write(_json({"ok": ok, "dry_run": dry_run, **counts}))
        else:
            self.stdout.write(
                f"{'预览' if dry_run else '导入'}：工单 {counts['rows']} 行，新增 {counts['new']}（待匹配小区 {counts['unmatched']}），"
                f"重复 {counts['duplicate']}，错误 {counts['error']}，类别待对应 {counts['category_unmapped']}，"
                f"不在本辖区 {counts['out_of_scope']}，合计/说明行 {counts['skipped_footer']}，已导入 {counts['imported']}。"
            )
            for row in result.rejected[:20]:
                self.stdout.write(f"  第 {row.line} 行：{'；'.join(row.reasons)}")
        if not ok:
            raise SystemExit(1)


def _json(payload) -> str:
    return json.dumps(payload, ensure_ascii=False)
