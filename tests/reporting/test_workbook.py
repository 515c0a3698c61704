"""The county workbook opened with openpyxl: sheets, headers, totals, dates, formula-safe text."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from openpyxl import load_workbook

from rectification.models import Case, CaseEventKind, CaseState
from rectification.selectors import LEDGER_EXPORT_HEADERS
from reporting import periods
from reporting.workbook import SHEET_NAMES, build_workbook, ledger_queryset
from tests.rectification.factories import CaseFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _build(tree, tmp_path):
    target = tmp_path / "report.xlsx"
    build_workbook(county=tree["county"], period=periods.period_containing("month", timezone.localdate()),
                   target=str(target), version=1)
    return load_workbook(target)


def test_sheets_headers_and_total_row(tree, ledger, tmp_path):
    book = _build(tree, tmp_path)
    assert book.sheetnames == SHEET_NAMES
    stats = book["统计表"]
    rows = list(stats.iter_rows(values_only=True))
    assert rows[0][2] == "总体情况" and "A 履约不到位" in rows[0]
    assert rows[1][:3] == ("镇/街道", "数据来源", "收到线索")
    assert stats.freeze_panes == "C3"
    towns, total = rows[2:-1], rows[-1]
    assert [t[0] for t in towns] == ["海阳镇", "万安镇"]  # not 屯溪区's town
    assert total[0] == "合计"
    from reporting.figures import figure_list, rate_list

    counts = len(figure_list())
    for column in range(2, 2 + counts):
        assert isinstance(total[column], int)
        assert total[column] == sum(t[column] for t in towns)
    # the rates after the counts: a percentage, or "—" when the denominator is empty
    assert list(rows[1][2 + counts:]) == [r.label for r in rate_list()]
    assert all(v == "—" or v.endswith("%") for v in total[2 + counts:])
    headers = rows[1]
    haiyang = dict(zip(headers, towns[0], strict=True))
    assert haiyang["整改中"] == 2 and haiyang["超期未办结"] == 1 and haiyang["已销号"] == 1
    assert dict(zip(headers, towns[1], strict=True))["新立案件"] == 1


def test_ledger_sheet_has_the_county_layout_dates_and_formula_safe_text(tree, ledger, tmp_path):
    book = _build(tree, tmp_path)
    sheet = book["整改台账"]
    rows = list(sheet.iter_rows())
    assert [c.value for c in rows[0]] == LEDGER_EXPORT_HEADERS
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["G"].width == 40
    assert len(rows) == 1 + 4  # every county case touched this month, not 屯溪区's
    described = {r[6].value: r for r in rows[1:]}
    formula_row = described["=SUM(A1:A9) 物业费去向不明"]
    assert formula_row[6].data_type == "s"
    deadlines = [r[11].value for r in rows[1:] if r[11].value]
    assert deadlines and all(isinstance(d, datetime | date) for d in deadlines)
    assert isinstance(rows[1][0].value, int)  # 序号 is a number
    explanation = dict(book["说明"].iter_rows(values_only=True))
    assert isinstance(explanation["生成时间"], datetime)
    assert explanation["版本"] == "第1版"


def test_the_ledger_holds_the_cases_touched_in_the_period(tree, estates):
    period = periods.parse_month("2026-10")
    before, inside = datetime(2026, 8, 5, 9, tzinfo=UTC), datetime(2026, 10, 31, 23, 30, tzinfo=SHANGHAI)
    after = datetime(2026, 11, 1, 0, 30, tzinfo=SHANGHAI)

    def case(description, *, created=before, state=CaseState.NOT_TRUE, estate="haiyang_1", **fields):
        made = CaseFactory(estate=estates[estate], description=description, state=state, **fields)
        Case.objects.filter(pk=made.pk).update(created_at=created)
        return made

    case("旧案无变动")
    case("旧案本月有记录").events.create(kind=CaseEventKind.ACTION, label="回访", at=inside)
    case("旧案下月才有记录").events.create(kind=CaseEventKind.ACTION, label="回访", at=after)
    case("旧案本月销号", state=CaseState.CLOSED, closed_at=inside)
    case("旧案仍在整改", state=CaseState.RECTIFYING)
    case("本月新案", created=inside)
    case("下月新案", created=after, state=CaseState.RECTIFYING)
    case("屯溪区本月有记录", estate="tunxi_1").events.create(kind=CaseEventKind.ACTION, label="回访", at=inside)
    described = set(ledger_queryset(tree["county"], period).values_list("description", flat=True))
    assert described == {"旧案本月有记录", "旧案本月销号", "旧案仍在整改", "本月新案"}


def test_command_builds_the_same_workbook(tree, ledger, tmp_path, capsys):
    output = tmp_path / "out.xlsx"
    period = timezone.localdate().strftime("%Y-%m")
    call_command("build_monthly_report", "--period", period, "--region", "341022", "--output", str(output))
    assert load_workbook(output).sheetnames == SHEET_NAMES
    assert "已生成" in capsys.readouterr().out


@pytest.mark.parametrize(("period", "region", "message"), [
    ("2025-13", "341022", "报告期"), ("2025-06", "999999", "不存在"), ("2025-06", "341022100", "不是县"),
])
def test_command_refuses_bad_input_in_chinese(tree, tmp_path, period, region, message):
    with pytest.raises(CommandError, match=message):
        call_command("build_monthly_report", "--period", period, "--region", region, "--output", str(tmp_path / "x.xlsx"))


def test_command_can_store_a_version(tree, ledger, capsys):
    from reporting.models import StoredReport

    period = timezone.localdate().strftime("%Y-%m")
    call_command("build_monthly_report", "--period", period, "--region", "341022", "--store")
    call_command("build_monthly_report", "--period", period, "--region", "341022", "--store")
    assert "未重复生成" in capsys.readouterr().out
    call_command("build_monthly_report", "--period", period, "--region", "341022", "--store", "--force")
    assert sorted(StoredReport.objects.values_list("version", "trigger")) == [(1, "command"), (2, "command")]
