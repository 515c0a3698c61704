from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.capabilities import can, require
from communities.filters import is_wide
from communities.models import Region, RegionLevel
from core.db_router import replica_lag_seconds, replica_reads
from core.errors import DomainError, NotFound
from core.files import serve_private

from . import figures as registry
from . import periods, selectors, services
from .builds import stored_report_build
from .dashboard import dashboard_data
from .figures import figure_list, from_json, rate_list
from .models import EnterpriseReport, ReportKind, StoredReport, UnitReport, UnitReportStatus
from .providers_rectification import ENTERPRISE_FIGURES
from .workbook import statistics_rows


class UnitReportForm(forms.ModelForm):
    class Meta:
        model = UnitReport
        fields = list(services.NARRATIVE_FIELDS)
        widgets = {f: forms.Textarea(attrs={"rows": 4, "class": "form-control"}) for f in services.NARRATIVE_FIELDS}


class EnterpriseReportForm(forms.ModelForm):
    class Meta:
        model = EnterpriseReport
        fields = list(services.ENTERPRISE_NARRATIVE_FIELDS)
        widgets = {f: forms.Textarea(attrs={"rows": 6, "class": "form-control"}) for f in services.ENTERPRISE_NARRATIVE_FIELDS}


def _period(request, param="period") -> periods.Period:
    value = request.GET.get(param) or request.POST.get(param)
    if not value:
        return periods.period_containing("month", timezone.localdate())
    return periods.parse_month(value)


def _figure_rows(report: UnitReport, live: dict) -> list[tuple]:
    """(group, name, frozen, live, list URL) per figure, then the rates (as text, no list)."""
    frozen = report.snapshot.get("figures", {}) if report.snapshot else {}
    period = periods.parse_month(report.period)
    rows = [
        (f.group, f.label, from_json(frozen.get(f.key)) if frozen else None, live.get(f.key, 0),
         f.drill.url(start=period.start, end=period.end, unit=report.unit) if f.drill else "")
        for f in figure_list()
    ]
    frozen_values = {k: from_json(v) for k, v in frozen.items()}
    rows += [(r.group, r.label, r.text(frozen_values) if frozen else None, r.text(live), "") for r in rate_list()]
    return rows


@login_required
def index(request):
    user = request.user
    if can(user, "report.submit_unit"):
        return redirect("reporting:unit-report")
    if can(user, "report.submit_enterprise"):
        return redirect("reporting:enterprise-report")
    if can(user, "report.review_unit"):
        return redirect("reporting:review")
    return redirect("reporting:stored-list")


@login_required
def unit_report(request):
    """A town's or community's monthly report: pre-filled figures, the narrative, submit."""
    period = _period(request)
    report = services.unit_report_for(user=request.user, period=period)
    form = UnitReportForm(request.POST or None, instance=report)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            submit = request.POST.get("action") == "submit"
            try:
                services.unit_report_save(user=request.user, period=period, submit=submit, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = exc.status_code
            else:
                messages.success(request, "月度报告已报送县专班办公室。" if submit else "草稿已保存。")
                return redirect(reverse("reporting:unit-report") + f"?period={period.key}")
        else:
            status = 400
    live = services.live_figures(report)
    due = report.duty.due_date(period)
    context = {
        "report": report, "form": form, "period": period, "due": due,
        "is_late": report.is_editable and timezone.localdate() > due,
        "days_left": (due - timezone.localdate()).days,
        "figure_rows": _figure_rows(report, live), "events": report.events.select_related("actor") if report.pk else [],
        "previous": period.previous().key, "next": period.next().key,
    }
    return render(request, "reporting/unit_report.html", context, status=status)


@login_required
def review(request):
    """County office: every unit's report of the period, late ones highlighted, reminders."""
    user = request.user
    require(user, "report.oversee", message="只有县专班及其办公室可以审核镇、社区的月度报告。")
    period = _period(request)
    county = selectors.user_county(user, request.GET.get("region"))
    rows = selectors.unit_status_list(county=county, period=period)
    context = {
        "period": period, "county": county, "rows": rows,
        "late": [r for r in rows if r.is_late], "reminders": [r for r in rows if r.needs_reminder],
        "can_review": can(user, "report.review_unit"),
        "previous": period.previous().key, "next": period.next().key,
    }
    return render(request, "reporting/review.html", context)


@login_required
def unit_report_detail(request, pk: int):
    report = selectors.unit_report_get(user=request.user, pk=pk)
    if report is None:
        raise Http404
    live = services.live_figures(report)
    context = {
        "report": report, "figure_rows": _figure_rows(report, live),
        "events": report.events.select_related("actor"),
        "can_review": report.status == UnitReportStatus.SUBMITTED and can(request.user, "report.review_unit"),
    }
    return render(request, "reporting/unit_report_detail.html", context)


@login_required
@require_POST
def unit_report_review(request, pk: int):
    action = request.POST.get("action")
    if action == "accept":
        report = services.report_review(user=request.user, report_kind="unit", report_id=pk, action=action,
                                        note=request.POST.get("note", ""))
        messages.success(request, f"已采纳{report.unit.name}的{report.period}月度报告。")
    elif action == "return":
        report = services.report_review(user=request.user, report_kind="unit", report_id=pk, action=action,
                                        note=request.POST.get("reason", ""))
        messages.success(request, f"已退回{report.unit.name}的{report.period}月度报告。")
    else:
        raise DomainError("未知的审核操作。")
    return redirect(reverse("reporting:review") + f"?period={report.period}")


@login_required
def stored_list(request):
    user = request.user
    context = {
        **selectors.county_duty_panel(user=user),
        "reports": selectors.stored_report_list(user=user)[:200],
        "can_build": can(user, "report.build"),
        "can_download": can(user, "report.county_figures"),
        "current": periods.period_containing("month", timezone.localdate()).key,
    }
    if context["can_build"]:
        context["runs"] = selectors.stored_report_runs(user=user)[:20]
    return render(request, "reporting/stored_list.html", context)


@login_required
@require_POST
def stored_build(request):
    user = request.user
    require(user, "report.build", message="只有县专班可以生成汇总报表。")
    period = _period(request)
    county = selectors.user_county(user, request.POST.get("region"))
    kind = request.POST.get("kind") or ReportKind.COUNTY_MONTHLY
    try:
        report, built = stored_report_build(region_id=county.pk, period=period.key, kind=kind,
                                            force=request.POST.get("force") == "1", user=user, trigger="manual")
    except DomainError:
        raise  # bad input: the middleware shows it as a 4xx page
    except Exception:  # the run is recorded as failed on its row
        messages.error(request, "报表生成失败，已记录错误信息，请稍后重试或联系系统管理员。")
        return redirect("reporting:stored-list")
    if built:
        messages.success(request, f"已生成{report.period}第{report.version}版。")
    else:
        messages.info(request, f"今天已生成过{report.period}第{report.version}版，未重复生成（如需新版本请选择“重新生成”）。")
    return redirect("reporting:stored-list")


@login_required
def stored_download(request, pk: int):
    require(request.user, "report.county_figures", message=selectors.WORKBOOK_REFUSED)
    return serve_private(request, StoredReport.objects.offered().select_related("region"), pk=pk, name_field="filename")


@login_required
@replica_reads
def statistics(request):
    """The web view of the county workbook's 统计表: every figure by town, each one a link to the
    list (with the API's filters) that makes it."""
    user = request.user
    require(user, "report.statistics", message="统计表供县专班和市住建局查看。")
    period = _period(request)
    county = selectors.user_county(user, request.GET.get("region"))
    band, headers, rows = statistics_rows(county, period)
    figure_defs = registry.figure_list()
    towns = list(Region.objects.filter(path__startswith=county.path, level=RegionLevel.TOWN).order_by("code"))
    table = []
    for town, row in zip([*towns, county], rows, strict=True):
        cells = []
        for index, value in enumerate(row[2:]):
            figure = figure_defs[index] if index < len(figure_defs) else None
            url = figure.drill.url(start=period.start, end=period.end, unit=town) if figure and figure.drill else ""
            cells.append({"value": value, "url": url, "key": figure.key if figure else ""})
        table.append({"name": row[0], "source": row[1], "cells": cells, "is_total": town == county})
    context = {"county": county, "period": period, "headers": headers[2:], "band": band[2:], "table": table,
               "definitions": registry.definitions(),
               "previous": period.previous().key, "next": period.next().key}
    return render(request, "reporting/statistics.html", context)


@login_required
@replica_reads
def dashboard(request):
    user = request.user
    require(user, "dashboard.view", message="挂图作战页面供各级工作人员使用。")
    within = _dashboard_within(user, request.GET.get("region"))
    county = None  # a province's or a city's dashboard tallies its counties (no one county)
    if within is not None and within.level == RegionLevel.COUNTY:
        county = within
    elif within is None and not is_wide(user):
        try:
            county = selectors.user_county(user)
        except DomainError:
            pass
    data = dashboard_data(user=user, county=county, within=within)
    return render(request, "reporting/dashboard.html", {"data": data, "county": county, "within": within,
                                                        "replica_lag": replica_lag_seconds()})


def _dashboard_within(user, code: str | None) -> Region | None:
    """?region=<code>: a city or a county inside the user's scope, which a province's or a city's
    area charts link to; the user's own region (or a wider one) is the plain dashboard."""
    if not code:
        return None
    region = Region.objects.visible_to(user).filter(code=code, level__in=(RegionLevel.CITY, RegionLevel.COUNTY)).first()
    if region is None:
        raise NotFound("该市、县（区）不存在或不在您的管辖范围内。")
    if not user.sees_everything and user.region_id and region.level <= user.region.level:
        return None
    return region


# ---------------------------------------------------------------------------------------------
# 物业服务企业月度整改进度


def _enterprise_figure_rows(report: EnterpriseReport, live: list[dict]) -> list[tuple]:
    """(estate, figure, frozen, live, list URL) rows for reporting/_figures.html, estates first,
    then 合计 (the enterprise's cases in the county)."""
    period = periods.parse_month(report.period)

    def url(figure, **extra):
        return figure.drill.url(start=period.start, end=period.end, unit=report.county) + "&" + urlencode(extra)

    frozen = {e["estate_id"]: e for e in report.snapshot.get("estates", [])} if report.snapshot else {}
    live_by_estate = {e["estate_id"]: e for e in live}
    order = [*live_by_estate, *(pk for pk in frozen if pk not in live_by_estate)]
    rows = []
    totals = {f.key: [0, 0] for f in ENTERPRISE_FIGURES}
    for estate_id in order:
        name = (live_by_estate.get(estate_id) or frozen[estate_id])["name"]
        for figure in ENTERPRISE_FIGURES:
            frozen_value = None
            if report.snapshot:
                frozen_value = from_json(frozen.get(estate_id, {}).get("figures", {}).get(figure.key, 0))
                totals[figure.key][0] += frozen_value
            live_value = live_by_estate.get(estate_id, {}).get("figures", {}).get(figure.key, 0)
            totals[figure.key][1] += live_value
            rows.append((name, figure.label, frozen_value, live_value, url(figure, estate=estate_id)))
    for figure in ENTERPRISE_FIGURES:
        frozen_total, live_total = totals[figure.key]
        rows.append(("合计", figure.label, frozen_total if report.snapshot else None, live_total,
                     url(figure, enterprise=report.enterprise_id)))
    return rows


@login_required
def enterprise_report(request):
    """An enterprise user's monthly rectification progress for its estates in one county."""
    period = _period(request)
    county_code = request.GET.get("region") or request.POST.get("region") or None
    report = services.enterprise_report_for(user=request.user, period=period, county_code=county_code)
    form = EnterpriseReportForm(request.POST or None, instance=report)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            submit = request.POST.get("action") == "submit"
            try:
                services.enterprise_report_save(user=request.user, period=period, county_code=report.county.code,
                                                submit=submit, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = exc.status_code
            else:
                messages.success(request, "月度整改进度已报送县专班。" if submit else "草稿已保存。")
                return redirect(reverse("reporting:enterprise-report") + f"?period={period.key}&region={report.county.code}")
        else:
            status = 400
    live = services.enterprise_live_figures(enterprise_id=report.enterprise_id, county=report.county, period=period)
    due = report.duty.due_date(period)
    today = timezone.localdate()
    context = {
        "report": report, "form": form, "period": period, "due": due,
        "is_late": report.is_editable and today > due, "days_left": (due - today).days,
        "figure_rows": _enterprise_figure_rows(report, live),
        "events": report.events.select_related("actor") if report.pk else [],
        "counties": services.enterprise_counties(report.enterprise_id),
        "previous": period.previous().key, "next": period.next().key,
    }
    return render(request, "reporting/enterprise_report.html", context, status=status)


@login_required
def enterprise_review(request):
    """County: every enterprise serving the county with its report of the period; late ones after
    the duty's due day (the 20th)."""
    user = request.user
    require(user, "report.oversee", message="只有县专班及其办公室可以查看物业服务企业的月度报送。")
    period = _period(request)
    county = selectors.user_county(user, request.GET.get("region"))
    rows = selectors.enterprise_status_list(county=county, period=period)
    context = {
        "period": period, "county": county, "rows": rows,
        "late": [r for r in rows if r.is_late], "reminders": [r for r in rows if r.needs_reminder],
        "submitted": [r for r in rows if r.is_done],
        "can_review": can(user, "report.review_enterprise"), "previous": period.previous().key, "next": period.next().key,
    }
    return render(request, "reporting/enterprise_review.html", context)


@login_required
def enterprise_report_detail(request, pk: int):
    report = selectors.enterprise_report_get(user=request.user, pk=pk)
    if report is None:
        raise Http404
    period = periods.parse_month(report.period)
    live = services.enterprise_live_figures(enterprise_id=report.enterprise_id, county=report.county, period=period)
    context = {
        "report": report, "figure_rows": _enterprise_figure_rows(report, live),
        "events": report.events.select_related("actor"),
        "can_review": report.status == UnitReportStatus.SUBMITTED and can(request.user, "report.review_enterprise"),
    }
    return render(request, "reporting/enterprise_report_detail.html", context)


@login_required
@require_POST
def enterprise_report_review(request, pk: int):
    action = request.POST.get("action", "")
    report = services.report_review(user=request.user, report_kind="enterprise", report_id=pk, action=action,
                                    note=request.POST.get("reason", ""))
    verb = "采纳" if action == "accept" else "退回"
    messages.success(request, f"已{verb}{report.enterprise.name}的{report.period}月度整改进度报告。")
    return redirect(reverse("reporting:enterprise-review") + f"?period={report.period}&region={report.county.code}")
