import os
import tempfile

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from reporting import periods
from reporting.builds import county_get, stored_report_build
from reporting.workbook import build_workbook


class Command(BaseCommand):
    help = "手工生成县（区）月度汇总报表（与定时任务生成的工作簿相同）。"

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="报告期，格式 YYYY-MM，例如 2025-06")
        parser.add_argument("--region", required=True, help="县（区）行政区划代码，例如 341022")
        parser.add_argument("--output", help="输出文件路径（.xlsx）")
        parser.add_argument("--store", action="store_true", help="同时保存为新版本，供市住建局下载")
        parser.add_argument("--force", action="store_true", help="与 --store 同用：当天已生成也再生成一个新版本")

    def handle(self, *args, period, region, output=None, store=False, force=False, **options):
        if not output and not store:
            raise CommandError("请指定 --output 文件路径，或使用 --store 保存为新版本。")
        try:
            period_obj = periods.parse_month(period)
            county = county_get(region)
            if output:
                directory = os.path.dirname(os.path.abspath(output))
                if not os.path.isdir(directory):
                    raise CommandError(f"输出目录不存在：{directory}")
                handle, tmp_path = tempfile.mkstemp(suffix=".xlsx", dir=directory)
                os.close(handle)
                try:
                    stats = build_workbook(county=county, period=period_obj, target=tmp_path)
                    os.replace(tmp_path, output)  # the output appears only complete
                finally:
                    if os.path.exists(tmp_path):
                        os.unlink(tmp_path)
                self.stdout.write(self.style.SUCCESS(
                    f"已生成 {output}：{county.name} {period_obj.label}，台账 {stats['rows']} 行，镇街 {stats['towns']} 个。"))
            if store:
                report, built = stored_report_build(region_id=county.pk, period=period_obj.key, force=force, trigger="command")
                note = "已生成" if built else "今日已生成，未重复生成"
                self.stdout.write(self.style.SUCCESS(f"{note}：第{report.version}版（{report.get_status_display()}）。"))
        except DomainError as exc:
            raise CommandError(exc.message) from exc
