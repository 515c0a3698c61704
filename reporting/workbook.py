"""The county workbook for the city bureau, streamed into openpyxl's write-only workbook:
统计表 (towns + total, figures by category group), 整改台账 (the ledger layout), 典型案例,
工作进展 (the units' narratives) and 说明."""

import os
from contextlib import closing
from datetime import datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone
from openpyxl import Workbook

from communities.models import Region, RegionLevel
from core.xlsx import write_sheet
from rectification.models import OPEN_STATES, Case, CaseEvent, TypicalCase
from rectification.selectors import (
    LEDGER_EXPORT_HEADERS,
    TYPICAL_EXPORT_HEADERS,
    case_export_rows,
    typical_case_export_rows,
)

from . import figures as figure_registry
from .coverage import coverage_sheet_rows
from .identities import IDENTITIES, LEVEL_STATEMENTS
from .models import EnterpriseReport, UnitReport, UnitReportStatus
from .periods import Period, month
from .providers_rectification import penalty_amount

SHEET_NAMES = ["统计表", "覆盖率目标", "整改台账", "典型案例", "工作进展", "说明"]
NARRATIVE_HEADERS = ["单位", "所属镇/街道", "报送状态", "报送时间", "工作进展", "经验做法", "存在问题", "下步打算"]


def month_keys(period: Period) -> list[str]:
    keys, current = [], month(period.start.year, period.start.month)
    while current.start <= period.end:
        keys.append(current.key)
        current = current.next()
    return keys


def _bounds(period: Period):
    tz = timezone.get_current_timezone()
    return datetime.combine(period.start, time.min, tz), datetime.combine(period.end + timedelta(days=1), time.min, tz)


def statistics_rows(county: Region, period: Period) -> tuple[list[str], list[str], list[list]]:
    """(group band, headers, rows): one row per town plus the total row. A town whose monthly
    report was accepted is counted from its frozen snapshot (what it reported); the others from
    the live ledger."""
    figure_defs = figure_registry.figure_list()
    towns = list(Region.objects.filter(path__startswith=county.path, level=RegionLevel.TOWN).order_by("code"))
    live = figure_registry.collect(county, period.start, period.end, level=RegionLevel.TOWN)
    accepted = {}
    if period.kind == "month":
        accepted = {
            r.unit_id: r.snapshot.get("figures", {})
            for r in UnitReport.objects.filter(
                unit__in=towns, period=period.key, status=UnitReportStatus.ACCEPTED
            ).only("unit_id", "snapshot")
        }
    rates = figure_registry.rate_list()
    band, seen = ["", ""], set()
    for group in [f.group for f in figure_defs] + [r.group + "（比率）" for r in rates]:
        band.append("" if group in seen else group)
        seen.add(group)
    headers = ["镇/街道", "数据来源", *[f.label for f in figure_defs], *[r.label for r in rates]]
    rows, totals = [], [0] * len(figure_defs)
    for town in towns:
        snapshot = accepted.get(town.pk)
        values = []
        for index, figure in enumerate(figure_defs):
            if snapshot is not None and figure.key in snapshot:
                value = figure_registry.from_json(snapshot[figure.key])
            else:
                value = live.get(town.pk, {}).get(figure.key, 0)
            values.append(value)
            totals[index] += value
        by_key = {f.key: v for f, v in zip(figure_defs, values, strict=True)}
        rows.append([town.name, "镇街报送（已采纳）" if snapshot is not None else "台账实时数据", *values,
                     *[r.text(by_key) for r in rates]])
    by_key = {f.key: v for f, v in zip(figure_defs, totals, strict=True)}
    rows.append(["合计", "", *totals, *[r.text(by_key) for r in rates]])
    return band, headers, rows


def explanation_rows() -> list[list]:
    """The definitions of the figures and rates of 统计表 and the identities that hold between
    them, from the registry (reporting.figures, reporting.identities)."""
    rows = [["指标口径", "名称｜统计期｜定义"]]
    rows += [[name, f"{period}｜{definition}"] for name, period, definition in figure_registry.definitions()]
    rows.append(["校验关系", "以下关系在每个镇（街道）、社区和全县均成立（系统自动校验）"])
    rows += [["", identity.statement] for identity in IDENTITIES]
    rows += [["", statement] for statement in LEVEL_STATEMENTS]
    return rows


def ledger_queryset(county: Region, period: Period):
    """Every case of the county touched in the period: opened, changed or closed in it, or still open."""
    start, end = _bounds(period)
    # `pk IN (the period's events)`, one hashed set, rather than a correlated EXISTS: PostgreSQL
    # costs the EXISTS inside the OR so high (≈ 600,000 for a county of 74,000 cases) that it
    # compiles the query with JIT, 2–4 s for a 0.6 s query
    changed = CaseEvent.objects.filter(at__gte=start, at__lt=end).values("case_id")
    return (
        Case.objects.filter(region_path__startswith=county.path, created_at__lt=end)
        .filter(Q(created_at__gte=start) | Q(state__in=OPEN_STATES) | Q(closed_at__gte=start, closed_at__lt=end)
                | Q(pk__in=changed))
        .order_by("estate__community__parent__code", "created_at", "pk")
    )


def typical_queryset(county: Region, period: Period):
    _start, end = _bounds(period)
    return (
        TypicalCase.objects.filter(case__region_path__startswith=county.path, selected_at__lt=end)
        .select_related("case__estate__community__parent", "case__category", "case__enterprise")
        .order_by("selected_at", "pk")
    )


def narrative_rows(county: Region, period: Period):
    units = Region.objects.filter(
        path__startswith=county.path, level__in=[RegionLevel.TOWN, RegionLevel.COMMUNITY]
    ).select_related("parent").order_by("path")
    reports = {}
    for report in UnitReport.objects.filter(unit__path__startswith=county.path, period__in=month_keys(period)).order_by("period"):
        reports.setdefault(report.unit_id, []).append(report)
    for unit in units:
        unit_reports = reports.get(unit.pk) or [None]
        for report in unit_reports:
            town = unit.name if unit.level == RegionLevel.TOWN else unit.parent.name
            if report is None:
                yield [unit.name, town, "未报送", None, "", "", "", ""]
            elif report.status != UnitReportStatus.ACCEPTED:
                status = report.get_status_display() + ("（待审核）" if report.status == UnitReportStatus.SUBMITTED else "")
                yield [unit.name, town, f"{report.period} {status}", report.submitted_at, "", "", "", ""]
            else:
                yield [unit.name, town, f"{report.period} 已采纳", report.submitted_at, report.progress,
                       report.good_practice, report.problems, report.next_steps]
    # the enterprises' accepted monthly progress (钟山 plan), after the towns and communities
    for report in (
        EnterpriseReport.objects.filter(county=county, period__in=month_keys(period), status=UnitReportStatus.ACCEPTED)
        .select_related("enterprise").order_by("enterprise__name", "period")
    ):
        yield [report.enterprise.name, "物业服务企业", f"{report.period} 已采纳", report.submitted_at, report.progress,
               "", report.problems, ""]


def build_workbook(*, county: Region, period: Period, target, version: int | None = None,
                   data_as_of: datetime | None = None) -> dict:
    """Writes the workbook to `target` (a path or a binary file). Returns run figures."""
    workbook = Workbook(write_only=True)
    try:
        return _write(workbook, county=county, period=period, target=target, version=version, data_as_of=data_as_of)
    except BaseException:
        _discard(workbook)
        raise


def _discard(workbook) -> None:
    """Closes and removes the half-written sheets' temporary files of a failed build."""
    for sheet in workbook.worksheets:
        writer = getattr(sheet, "_writer", None)
        try:
            sheet.close()
        except Exception:  # noqa: S110 - best effort on a build that already failed
            pass
        if writer is not None and isinstance(writer.out, str) and os.path.exists(writer.out):
            os.remove(writer.out)


def _write(workbook, *, county, period, target, version, data_as_of) -> dict:
    generated_at = timezone.now()
    data_as_of = data_as_of or generated_at

    band, headers, rows = statistics_rows(county, period)
    write_sheet(workbook, "统计表", headers, rows, header_rows=[band], freeze="C3",
                widths=[14, 18, *[10] * (len(headers) - 2)])
    coverage_headers, coverage_rows = coverage_sheet_rows(county, today=min(period.end, timezone.localdate()))
    write_sheet(workbook, "覆盖率目标", coverage_headers, coverage_rows, freeze="A2", widths=[16, 28, 10, 10, 14, 10, 10])
    # closing(): a failed build must not leave a server-side cursor to the garbage collector
    with closing(case_export_rows(ledger_queryset(county, period))) as rows_iter:
        ledger_rows = write_sheet(workbook, "整改台账", LEDGER_EXPORT_HEADERS, rows_iter,
                                  freeze="A2", widths=[6, 12, 12, 16, 20, 22, 40, 12, 16, 10, 36, 12, 14, 18])
    with closing(typical_case_export_rows(typical_queryset(county, period))) as rows_iter:
        typical_rows = write_sheet(workbook, "典型案例", TYPICAL_EXPORT_HEADERS, rows_iter,
                                   freeze="A2", widths=[6, 30, 12, 16, 20, 20, 40, 30, 30, 30, 10, 12])
    with closing(narrative_rows(county, period)) as rows_iter:
        write_sheet(workbook, "工作进展", NARRATIVE_HEADERS, rows_iter, freeze="A2",
                    widths=[16, 12, 18, 18, 50, 40, 40, 40])
    accepted = UnitReport.objects.filter(
        unit__path__startswith=county.path, period__in=month_keys(period), status=UnitReportStatus.ACCEPTED
    ).count()
    explanation = [
        ["报告期", f"{period.label}（{period.key}）"],
        ["行政区划", county.full_name],
        ["生成时间", generated_at],
        ["数据截至", data_as_of],
        ["版本", f"第{version}版" if version else "手工生成"],
        ["已采纳的镇、社区报告", accepted],
        ["台账行数", ledger_rows],
        ["典型案例数", typical_rows],
        ["行政处罚罚款金额（元）", penalty_amount(county, period.start, period.end) or 0],
        ["统计口径", "“报告期内发生数”按报告期内发生的统计；“截至期末”统计期末及以前的全部；“截至数据生成时”为数据截至时的状态。"
                  + ("镇街报告已采纳的，统计表采用其报送时冻结的数据，其余采用台账实时数据。" if period.kind == "month"
                     else "统计表采用台账实时数据。")],
        *explanation_rows(),
    ]
    write_sheet(workbook, "说明", ["项目", "内容"], explanation, freeze="A2", widths=[24, 80])
    workbook.save(target)
    return {"rows": ledger_rows, "typical": typical_rows, "towns": len(rows) - 1, "generated_at": generated_at}
