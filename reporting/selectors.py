"""Reads of the reporting app. Everything a user gets starts from `visible_to(user)` or from the
county the user belongs to."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Q
from django.utils import timezone

from accounts.capabilities import can
from communities import regions
from communities.models import Estate, Region, RegionLevel
from core.errors import NotFound, PermissionDenied
from enterprises.models import Enterprise

from . import figures as registry
from . import periods
from .models import (
    EnterpriseReport,
    PeriodKind,
    Reporter,
    ReportingDuty,
    ReportKind,
    StoredReport,
    UnitReport,
    UnitReportStatus,
)

DONE = (UnitReportStatus.SUBMITTED, UnitReportStatus.ACCEPTED)
LEVEL_REPORTER = {RegionLevel.TOWN: Reporter.TOWN, RegionLevel.COMMUNITY: Reporter.COMMUNITY}


@dataclass
class ReportStatus:
    """A reporter's state for one period against its duty's due date (unit or enterprise)."""

    duty: ReportingDuty
    report: UnitReport | EnterpriseReport | None
    due: date
    today: date

    @property
    def status(self) -> str:
        return self.report.status if self.report else "missing"

    @property
    def status_label(self) -> str:
        return self.report.get_status_display() if self.report and self.report.status != "draft" else "未报送"

    @property
    def is_done(self) -> bool:
        return self.report is not None and self.report.status in DONE

    @property
    def is_late(self) -> bool:
        """Past the due day and not submitted (a returned report counts as not submitted)."""
        return not self.is_done and self.today > self.due

    @property
    def submitted_late(self) -> bool:
        return self.is_done and self.report.submitted_at is not None and timezone.localdate(self.report.submitted_at) > self.due

    @property
    def days_left(self) -> int:
        return (self.due - self.today).days

    @property
    def days_late(self) -> int:
        return max((self.today - self.due).days, 0)

    @property
    def needs_reminder(self) -> bool:
        """Within the reminder lead time before the due day and not submitted yet."""
        return not self.is_done and 0 <= self.days_left <= self.duty.reminder_lead_days


@dataclass
class UnitStatus(ReportStatus):
    unit: Region


@dataclass
class EnterpriseStatus(ReportStatus):
    enterprise: Enterprise
    estate_count: int = 0


def user_county(user, region_code: str | None = None) -> Region:
    """The county a staff user works on: their own (county roles), or one inside their scope
    chosen by code (city bureau, system administrators)."""
    if region_code:
        county = Region.objects.visible_to(user).filter(code=region_code, level=RegionLevel.COUNTY).first()
        if county is None:
            raise NotFound("该县（区）不存在或不在您的管辖范围内。")
        return county
    if user.region_id and user.region.level == RegionLevel.COUNTY:
        return user.region
    if user.region_id and user.region.level > RegionLevel.COUNTY:
        county = regions.county_of(user.region)
        if county:
            return county
    county = Region.objects.visible_to(user).filter(level=RegionLevel.COUNTY).order_by("code").first()
    if county is None:
        raise PermissionDenied("您的账号没有可查看的县（区）。")
    return county


def _unit_duties(counties: list[Region]) -> dict[int, dict[str, ReportingDuty]]:
    """Each county's monthly town and community duties: its own rows, then the general rows it
    has not replaced with its own of the same code (ReportingDuty.objects.for_county), in one query."""
    own: dict[int, dict] = {}
    own_codes: dict[int, set] = {}
    general = []
    for duty in ReportingDuty.objects.filter(
        Q(region__isnull=True) | Q(region__in=[c.pk for c in counties]),
        is_active=True, period_kind=PeriodKind.MONTH, reporter__in=[Reporter.TOWN, Reporter.COMMUNITY],
    ).order_by("code"):
        if duty.region_id is None:
            general.append(duty)
        else:
            own.setdefault(duty.region_id, {}).setdefault(duty.reporter, duty)
            own_codes.setdefault(duty.region_id, set()).add(duty.code)
    duties = {}
    for county in counties:
        chosen = dict(own.get(county.pk, {}))
        for duty in general:
            if duty.code not in own_codes.get(county.pk, ()):
                chosen.setdefault(duty.reporter, duty)
        duties[county.pk] = chosen
    return duties


def unit_status_list(*, county: Region, period: periods.Period, today: date | None = None,
                     within: Region | None = None) -> list[UnitStatus]:
    """Every town and community of the county (or of `within`, a town inside it) with its report
    of the period (constant queries)."""
    today = today or timezone.localdate()
    duties = _unit_duties([county])[county.pk]
    scope = within or county
    units = Region.objects.filter(
        path__startswith=scope.path, level__in=[RegionLevel.TOWN, RegionLevel.COMMUNITY]
    ).select_related("parent").order_by("path")
    reports = {
        (r.duty_id, r.unit_id): r
        for r in UnitReport.objects.filter(unit__path__startswith=scope.path, period=period.key)
    }
    rows = []
    for unit in units:
        duty = duties.get(LEVEL_REPORTER[unit.level])
        if duty is None:
            continue
        rows.append(UnitStatus(duty=duty, report=reports.get((duty.pk, unit.pk)), due=duty.due_date(period),
                               today=today, unit=unit))
    return rows


TALLY_KEYS = ("已采纳", "已报送", "已退回", "未报送", "逾期未报")


def unit_status_tally(*, within: Region, period: periods.Period, today: date | None = None,
                      county: Region | None = None) -> tuple[dict, date | None]:
    """The dashboards' view of the towns' and communities' reports of the period: per county
    ({county path: {key: units}}), how many units inside `within` stand at each of TALLY_KEYS
    (ReportStatus's is_late and status_label), each unit under its own county's duties; and the
    earliest due day. The counties are those inside `within` (a province's or a city's dashboard),
    or `county` when `within` is inside it (a town officer's). Counted from plain rows (a province
    has ~10,000 units: no model instances), in constant queries."""
    today = today or timezone.localdate()
    counties = [county] if county is not None else list(
        Region.objects.filter(level=RegionLevel.COUNTY, path__startswith=within.path))
    by_path = {c.path: c.pk for c in counties}
    duties = _unit_duties(counties)
    due = {duty.pk: duty.due_date(period) for chosen in duties.values() for duty in chosen.values()}
    reports = dict(
        ((duty_id, unit_id), status) for duty_id, unit_id, status in
        UnitReport.objects.filter(unit__path__startswith=within.path, period=period.key).values_list("duty_id", "unit_id", "status")
    )
    county_paths = {pk: path for path, pk in by_path.items()}
    tally = {path: dict.fromkeys(TALLY_KEYS, 0) for path in by_path}
    for pk, path, level in Region.objects.filter(
        path__startswith=within.path, level__in=[RegionLevel.TOWN, RegionLevel.COMMUNITY]
    ).values_list("pk", "path", "level"):
        county_id = by_path.get(regions.county_path(path))
        duty = duties.get(county_id, {}).get(LEVEL_REPORTER[level])
        if duty is None:
            continue
        status = reports.get((duty.pk, pk))
        if status not in DONE and today > due[duty.pk]:
            key = "逾期未报"
        else:
            key = UnitReportStatus(status).label if status and status != UnitReportStatus.DRAFT else "未报送"
        tally[county_paths[county_id]][key] += 1
    return tally, min(due.values(), default=None)


def late_units(*, county: Region, period: periods.Period, today: date | None = None) -> list[UnitStatus]:
    return [row for row in unit_status_list(county=county, period=period, today=today) if row.is_late]


def unit_report_get(*, user, pk: int) -> UnitReport | None:
    return UnitReport.objects.visible_to(user).select_related("unit__parent", "duty", "submitted_by", "reviewed_by").filter(pk=pk).first()


def stored_report_list(*, user):
    return StoredReport.objects.visible_to(user).offered().select_related("region").order_by("-period", "kind", "-version")


#: the county workbook lists every case of the county: discipline inspection, which sees only
#: the corruption clues (Case.objects.visible_to), may not take it ("report.county_figures")
WORKBOOK_REFUSED = "纪检监察账号只查看问题线索案件，不能下载全县汇总报表。"


def stored_report_runs(*, user):
    """Every run (also failed and building ones), for the county's own run record."""
    return StoredReport.objects.visible_to(user).select_related("region", "created_by").order_by("-started_at")


def enterprise_duty(county: Region) -> ReportingDuty:
    """The enterprise monthly duty that applies in the county (its own row, else the general one)."""
    duty = (
        ReportingDuty.objects.for_county(county)
        .filter(reporter=Reporter.ENTERPRISE, period_kind=PeriodKind.MONTH, is_active=True)
        .order_by(F("region_id").desc(nulls_last=True), "code")
        .first()
    )
    if duty is None:
        raise NotFound("本县（区）没有物业服务企业月度报送要求。")
    return duty


def enterprise_status_list(*, county: Region, period: periods.Period, today: date | None = None) -> list[EnterpriseStatus]:
    """Every enterprise serving an estate in the county (or holding a report of the period there),
    with its report of the period: three queries, however many enterprises."""
    today = today or timezone.localdate()
    duty = enterprise_duty(county)
    reports = {
        r.enterprise_id: r
        for r in EnterpriseReport.objects.filter(county=county, period=period.key).select_related("duty")
    }
    estate_counts = dict(
        Estate.objects.filter(community__path__startswith=county.path, enterprise__isnull=False)
        .values_list("enterprise_id").annotate(n=Count("pk")).order_by()
    )
    enterprises = Enterprise.objects.filter(Q(pk__in=list(estate_counts)) | Q(pk__in=list(reports))).order_by("name", "pk")
    rows = []
    for enterprise in enterprises:
        report = reports.get(enterprise.pk)
        row_duty = report.duty if report else duty
        rows.append(EnterpriseStatus(duty=row_duty, report=report, due=row_duty.due_date(period), today=today,
                                     enterprise=enterprise, estate_count=estate_counts.get(enterprise.pk, 0)))
    return rows


def late_enterprises(*, county: Region, period: periods.Period, today: date | None = None) -> list[EnterpriseStatus]:
    return [row for row in enterprise_status_list(county=county, period=period, today=today) if row.is_late]


def enterprise_report_get(*, user, pk: int) -> EnterpriseReport | None:
    return (
        EnterpriseReport.objects.visible_to(user)
        .select_related("enterprise", "county", "duty", "submitted_by", "reviewed_by")
        .filter(pk=pk).first()
    )


@dataclass
class CountyDutyStatus:
    """The county's own monthly roll-up to the city (by the 30th; February: the last day) for one
    period, beside its towns' reports (by the 27th): the latest built version and its delivery."""

    period: periods.Period
    due: date
    today: date
    report: StoredReport | None
    town_due: date | None
    town_tally: dict

    @property
    def is_delivered(self) -> bool:
        return self.report is not None and self.report.delivered_at is not None

    @property
    def is_late(self) -> bool:
        return not self.is_delivered and self.today > self.due

    @property
    def days_left(self) -> int:
        return (self.due - self.today).days

    @property
    def status_label(self) -> str:
        if self.report is None:
            return "逾期未生成" if self.is_late else "未生成"
        built = f"已生成第{self.report.version}版"
        if self.is_delivered:
            return f"{built}，已报送"
        return built + ("，逾期未报送" if self.is_late else "，未报送")


def county_duty_status(*, county: Region, today: date | None = None) -> list[CountyDutyStatus]:
    """Last month's and this month's county roll-up (a few queries, whatever the county's size)."""
    today = today or timezone.localdate()
    duty = (
        ReportingDuty.objects.for_county(county)
        .filter(reporter=Reporter.COUNTY, period_kind=PeriodKind.MONTH, is_active=True)
        .order_by(F("region_id").desc(nulls_last=True), "code").first()
    )
    if duty is None:
        return []
    current = periods.period_containing("month", today)
    wanted = [current.previous(), current]
    latest: dict[str, StoredReport] = {}
    for report in StoredReport.objects.offered().filter(
        region=county, kind=ReportKind.COUNTY_MONTHLY, period__in=[p.key for p in wanted]
    ).order_by("period", "-version"):
        latest.setdefault(report.period, report)
    rows = []
    for period in wanted:
        tally, town_due = unit_status_tally(within=county, county=county, period=period, today=today)
        rows.append(CountyDutyStatus(period=period, due=duty.due_date(period), today=today,
                                     report=latest.get(period.key), town_due=town_due,
                                     town_tally=tally.get(county.path, {})))
    return rows


def county_duty_panel(*, user) -> dict:
    """The template context of the county's 30th-duty panel (reporting/_county_duty.html), shown to
    the county working group and its office on the home page and the reports page."""
    if not can(user, "report.build") or user.region_id is None or user.region.level != RegionLevel.COUNTY:
        return {}
    return {"county_duties": county_duty_status(county=user.region), "county_duty_county": user.region}


def home_coverage_figures(*, user) -> list[tuple[str, int, str]]:
    """The home page's estate counters, from the registry (reporting.figures): 物业管理小区 and
    无物业小区 of the user's own region, each opening its list, the same numbers as the workbook
    and the dashboard. Empty for users without a region of their own (enterprise, administrators)."""
    region = user.region if user.region_id and not user.is_enterprise_user else None
    if region is None or region.level < RegionLevel.CITY:
        return []
    today = timezone.localdate()
    values = (registry.provider_figures("inspections", region, today, today, level=region.level) or {}).get(region.pk, {})
    rows = []
    for key in ("estates_managed", "estates_unmanaged"):
        figure = registry.figure_get(key)
        if figure is not None and key in values:
            url = figure.drill.url(start=today, end=today, unit=region) if figure.drill else ""
            rows.append((figure.label, values[key], url))
    return rows
