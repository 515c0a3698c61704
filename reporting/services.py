"""Writes of the reporting app: a unit's monthly report (save, submit with frozen figures), the
county office's review (accept / return with a reason), and the same for an enterprise's monthly
rectification progress (due the 20th, to the county working group)."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.capabilities import can, require
from accounts.models import COUNTY_ROLES, Role, User
from communities import regions
from communities.models import Estate, Region, RegionLevel
from core.audit import audited, not_audited
from core.errors import InvalidInput, InvalidState, NotFound, PermissionDenied
from core.notifications import notification_send
from rectification.models import Case

from . import figures as figure_registry
from . import periods
from .builds import active_counties
from .models import (
    EnterpriseReport,
    PeriodKind,
    Reporter,
    ReportEvent,
    ReportEventKind,
    ReportingDuty,
    UnitReport,
    UnitReportStatus,
)
from .providers_rectification import ENTERPRISE_FIGURES, enterprise_estate_figures
from .selectors import enterprise_duty, enterprise_status_list, unit_status_list

NARRATIVE_FIELDS = ("progress", "good_practice", "problems", "next_steps")
UNIT_REPORTERS = {RegionLevel.TOWN: Reporter.TOWN, RegionLevel.COMMUNITY: Reporter.COMMUNITY}


def unit_duty(unit: Region) -> ReportingDuty:
    """The monthly duty of a town or community (its county's own row, else the general one)."""
    reporter = UNIT_REPORTERS.get(unit.level)
    county = regions.county_of(unit)
    duty = None
    if reporter and county:
        duty = (
            ReportingDuty.objects.for_county(county)
            .filter(reporter=reporter, period_kind=PeriodKind.MONTH, is_active=True)
            .order_by("-region_id", "code")
            .first()
        )
    if duty is None:
        raise NotFound("本单位没有需要填报的月度报送要求。")
    return duty


def _check_unit_user(user, unit: Region) -> None:
    if not can(user, "report.submit_unit") or user.region_id != unit.pk:
        raise PermissionDenied("只有本单位的工作人员可以填报和报送本单位的月度报告。")


def unit_report_for(*, user, period: periods.Period) -> UnitReport:
    """The user's unit report of the period (unsaved and pre-filled if it does not exist yet)."""
    if not can(user, "report.submit_unit") or not user.region_id:
        raise PermissionDenied("月度工作进展由镇（街道）、社区填报。")
    period_obj = _month(period)
    duty = unit_duty(user.region)
    report = UnitReport.objects.filter(duty=duty, unit=user.region, period=period_obj.key).first()
    return report or UnitReport(duty=duty, unit=user.region, period=period_obj.key)


def live_figures(report: UnitReport) -> dict:
    period = periods.parse_month(report.period)
    return figure_registry.unit_figures(report.unit, period.start, period.end)


def _narrative(**texts: str | None) -> dict[str, str]:
    """The narrative texts given (None: leave that field as it is), stripped and capped."""
    for text in texts.values():
        if text is not None and not isinstance(text, str):
            raise InvalidInput("报告内容须为文字。")
    return {name: text.strip()[:20000] for name, text in texts.items() if text is not None}


def _month(period: periods.Period) -> periods.Period:
    if not isinstance(period, periods.Period) or period.kind != "month":
        raise InvalidInput("报告期须为月份（例如 2025-06）。")
    return period


@audited("reporting.ReportEvent")
def unit_report_save(
    *,
    user: User,
    period: periods.Period,
    progress: str | None = None,
    good_practice: str | None = None,
    problems: str | None = None,
    next_steps: str | None = None,
    submit: bool = False,
) -> UnitReport:
    """Saves the narrative (a text left None keeps what is saved); with submit=True also freezes
    the figures as they are now into the snapshot and marks the report submitted, with its
    ReportEvent. A submitted or accepted report cannot be edited. `period` is a parsed month
    (reporting.periods.parse_month)."""
    period_obj = _month(period)
    texts = _narrative(progress=progress, good_practice=good_practice, problems=problems, next_steps=next_steps)
    unit = user.region
    if unit is None:
        raise PermissionDenied("月度工作进展由镇（街道）、社区填报。")
    _check_unit_user(user, unit)
    duty = unit_duty(unit)
    if period_obj.start > timezone.localdate():
        raise InvalidState("不能填报尚未开始的月份。")
    with transaction.atomic():
        try:
            with transaction.atomic():
                report, _ = UnitReport.objects.get_or_create(duty=duty, unit=unit, period=period_obj.key)
        except IntegrityError:  # created concurrently
            pass
        report = UnitReport.objects.select_for_update().get(duty=duty, unit=unit, period=period_obj.key)
        if not report.is_editable:
            raise InvalidState(f"本月报告{report.get_status_display()}，不能再修改。")
        for field, text in texts.items():
            setattr(report, field, text)
        previous = report.status
        if submit:
            missing = [UnitReport._meta.get_field(f).verbose_name for f in ("progress",) if not getattr(report, f)]
            if missing:
                raise InvalidState(f"请填写“{'、'.join(missing)}”后再报送。")
            now = timezone.now()
            report.snapshot = {
                "period": period_obj.key,
                "as_of": now.isoformat(),
                "figures": figure_registry.to_json(figure_registry.unit_figures(unit, period_obj.start, period_obj.end)),
                "labels": figure_registry.figure_labels(),
            }
            report.status = UnitReportStatus.SUBMITTED
            report.submitted_at, report.submitted_by = now, user
            report.return_reason = ""
            report.save()
            report_event_record(
                report=report, actor=user, kind=ReportEventKind.SUBMIT, from_state=previous,
                note="逾期报送" if now.date() > duty.due_date(period_obj) else "",
            )
        else:
            report.save()
            report_event_record(report=report, actor=user, kind=ReportEventKind.SAVE, from_state=previous)
    return report


@audited("reporting.ReportEvent")
def report_event_record(*, report: UnitReport | EnterpriseReport, actor, kind: str, from_state: str = "",
                        note: str = "") -> ReportEvent:
    """The one writer of report events: one row per step, its new state the report's status."""
    owner = {"unit_report": report} if isinstance(report, UnitReport) else {"enterprise_report": report}
    return ReportEvent.objects.create(
        **owner, actor=actor, kind=kind, from_state=from_state, to_state=report.status, note=note
    )


def _unit_returned(report: UnitReport, reason: str) -> None:
    notification_send(
        users=report.unit.users.filter(is_active=True, role__in=[Role.TOWN, Role.COMMUNITY]),
        title=f"{report.period} 月度报告被退回：{reason[:60]}", url=f"/reporting/unit/?period={report.period}",
    )


def _enterprise_returned(report: EnterpriseReport, reason: str) -> None:
    notification_send(
        users=User.objects.filter(is_active=True, role=Role.ENTERPRISE, enterprise_id=report.enterprise_id),
        title=f"{report.period} 月度整改进度报告被退回：{reason[:60]}",
        url=f"/reporting/enterprise/?period={report.period}&region={report.county.code}",
    )


#: what differs between reviewing a unit's and an enterprise's report: the rows, who may not, whom a return tells
_REVIEWED = {
    "unit": (UnitReport, ("unit",), "report.review_unit", "只有县专班办公室可以审核镇、社区的月度报告。", _unit_returned),
    "enterprise": (EnterpriseReport, ("enterprise", "county"), "report.review_enterprise",
                   "只有县专班及其办公室可以审核物业服务企业的月度报告。", _enterprise_returned),
}


@audited("reporting.ReportEvent")
def report_review(*, user, report_kind: str, report_id: int, action: str, note: str = "") -> UnitReport | EnterpriseReport:
    """The county working group or its office accepts a submitted unit (`report_kind="unit"`) or
    enterprise report, or returns it with a reason (`note`, required) that the unit or enterprise
    is told of; they edit and submit again. Writes one ReportEvent."""
    model, related, capability, refused, notify_returned = _REVIEWED[report_kind]
    if action not in ("accept", "return"):
        raise InvalidState("未知的审核操作。")
    note = (note or "").strip()
    if action == "return" and not note:
        raise InvalidState("退回时请填写退回原因。")
    require(user, capability, message=refused)
    with transaction.atomic():
        report = (
            model.objects.visible_to(user).select_for_update(of=("self",)).select_related(*related)
            .filter(pk=report_id).first()
        )
        if report is None:
            raise NotFound()
        if report.status != UnitReportStatus.SUBMITTED:
            raise InvalidState(f"该报告{report.get_status_display()}，只能审核已报送的报告。")
        report.status = UnitReportStatus.ACCEPTED if action == "accept" else UnitReportStatus.RETURNED
        report.return_reason = note if action == "return" else ""
        report.reviewed_at, report.reviewed_by = timezone.now(), user
        report.save(update_fields=["status", "return_reason", "reviewed_at", "reviewed_by", "updated_at"])
        report_event_record(
            report=report, actor=user, kind=action, from_state=UnitReportStatus.SUBMITTED, note=note
        )
        if action == "return":
            notify_returned(report, note)
    return report


@not_audited("sends notices only; each notice is its own record")
def unit_report_reminders_send(*, today=None) -> int:
    """Daily: reminds the officers of each town and community that has not submitted the month's
    report, on the day the duty's lead time starts; and tells the county office on the day after
    the due day which units are late. Safe to run twice a day (a user already holding the same
    notice is skipped). Returns the number of notices sent."""


    today = today or timezone.localdate()
    period = periods.period_containing("month", today)
    sent = 0
    for county in active_counties():
        rows = unit_status_list(county=county, period=period, today=today)
        for row in rows:
            if row.is_done or row.days_left != row.duty.reminder_lead_days:
                continue
            title = f"请于{row.due:%m月%d日}前报送{period.label}工作进展（{row.unit.name}）"
            users = row.unit.users.filter(is_active=True, role__in=[Role.TOWN, Role.COMMUNITY]).exclude(
                notifications__title=title
            )
            sent += len(notification_send(users=users, title=title, url=f"/reporting/unit/?period={period.key}"))
        late = [row for row in rows if row.is_late and row.days_late == 1]
        if late:
            names = "、".join(row.unit.name for row in late)
            title = f"{period.label}逾期未报送 {len(late)} 个单位：{names}"[:200]
            office = county.users.filter(is_active=True, role__in=list(COUNTY_ROLES)).exclude(notifications__title=title)
            sent += len(notification_send(users=office, title=title, url=f"/reporting/review/?period={period.key}"))
    return sent


# ---------------------------------------------------------------------------------------------
# 物业服务企业月度整改进度 (钟山 plan: enterprises report to the county working group by the 20th)

ENTERPRISE_NARRATIVE_FIELDS = ("progress", "problems")


def enterprise_counties(enterprise_id: int) -> list[Region]:
    """The counties where the enterprise serves an estate or has a case (two queries)."""

    paths = set(Estate.objects.filter(enterprise_id=enterprise_id).values_list("community__path", flat=True))
    paths |= set(Case.objects.of_enterprises().filter(enterprise_id=enterprise_id).values_list("region_path", flat=True).distinct())
    prefixes = {p for path in paths if path for p in regions.ancestors(path)}
    return list(Region.objects.filter(path__in=prefixes, level=RegionLevel.COUNTY).order_by("code"))


def _enterprise_county(user, county_code: str | None) -> Region:
    if not can(user, "report.submit_enterprise") or not user.enterprise_id:
        raise PermissionDenied("物业服务企业月度整改进度由物业服务企业用户填报。")
    counties = enterprise_counties(user.enterprise_id)
    if not counties:
        raise NotFound("贵企业在本系统中没有服务的小区，无需填报月度整改进度。")
    if not county_code:
        return counties[0]
    county = next((c for c in counties if c.code == county_code), None)
    if county is None:
        raise NotFound("贵企业在该县（区）没有服务的小区。")
    return county


def enterprise_live_figures(*, enterprise_id: int, county: Region, period: periods.Period) -> list[dict]:

    return enterprise_estate_figures(enterprise_id, county, period.start, period.end)


def enterprise_report_for(*, user, period: periods.Period, county_code: str | None = None) -> EnterpriseReport:
    """The enterprise user's report of the period in a county it serves (unsaved if not started)."""
    county = _enterprise_county(user, county_code)
    period_obj = _month(period)
    report = EnterpriseReport.objects.filter(enterprise_id=user.enterprise_id, county=county, period=period_obj.key).first()
    return report or EnterpriseReport(
        duty=enterprise_duty(county), enterprise=user.enterprise, county=county, period=period_obj.key
    )


@audited("reporting.ReportEvent")
def enterprise_report_save(
    *,
    user: User,
    period: periods.Period,
    progress: str | None = None,
    problems: str | None = None,
    county_code: str | None = None,
    submit: bool = False,
) -> EnterpriseReport:
    """Saves the enterprise's narrative (a text left None keeps what is saved); with submit=True
    also freezes the per-estate figures as they are now into the snapshot and marks the report
    submitted, with its ReportEvent. Only the enterprise's own users write it; a submitted or
    accepted report cannot be edited. `period` is a parsed month."""
    period_obj = _month(period)
    texts = _narrative(progress=progress, problems=problems)
    county = _enterprise_county(user, county_code)
    duty = enterprise_duty(county)
    if period_obj.start > timezone.localdate():
        raise InvalidState("不能填报尚未开始的月份。")
    keys = {"enterprise_id": user.enterprise_id, "county": county, "period": period_obj.key}
    with transaction.atomic():
        try:
            with transaction.atomic():
                EnterpriseReport.objects.get_or_create(**keys, defaults={"duty": duty})
        except IntegrityError:  # created concurrently
            pass
        report = EnterpriseReport.objects.select_for_update().get(**keys)
        if not report.is_editable:
            raise InvalidState(f"本月报告{report.get_status_display()}，不能再修改。")
        for field, text in texts.items():
            setattr(report, field, text)
        previous = report.status
        if not submit:
            report.save()
            report_event_record(report=report, actor=user, kind=ReportEventKind.SAVE, from_state=previous)
            return report
        if not report.progress:
            raise InvalidState("请填写“整改进度和成效”后再报送。")

        now = timezone.now()
        estates = enterprise_live_figures(enterprise_id=user.enterprise_id, county=county, period=period_obj)
        report.snapshot = {
            "period": period_obj.key,
            "as_of": now.isoformat(),
            "estates": [{**e, "figures": figure_registry.to_json(e["figures"])} for e in estates],
            "labels": {f.key: f.label for f in ENTERPRISE_FIGURES},
        }
        report.status = UnitReportStatus.SUBMITTED
        report.submitted_at, report.submitted_by = now, user
        report.return_reason = ""
        report.save()
        report_event_record(
            report=report, actor=user, kind=ReportEventKind.SUBMIT, from_state=previous,
            note="逾期报送" if timezone.localdate(now) > report.duty.due_date(period_obj) else "",
        )
    return report


@audited("reporting.ReportEvent")
def enterprise_report_submit(
    *,
    user: User,
    period: periods.Period,
    progress: str | None = None,
    problems: str | None = None,
    county_code: str | None = None,
) -> EnterpriseReport:
    """enterprise_report_save with submit=True."""
    return enterprise_report_save(user=user, period=period, progress=progress, problems=problems,
                                  county_code=county_code, submit=True)


@not_audited("sends notices only; each notice is its own record")
def enterprise_report_reminders_send(*, today=None) -> int:
    """Daily: reminds the users of each enterprise serving a county that has not submitted the
    month's progress, on the day the duty's lead time starts; and tells the county working group
    and office on the day after the due day (the 20th) which enterprises are late. Safe to run
    twice a day (a user already holding the same notice is skipped). Returns the notices sent."""


    today = today or timezone.localdate()
    period = periods.period_containing("month", today)
    sent = 0
    for county in active_counties():
        try:
            rows = enterprise_status_list(county=county, period=period, today=today)
        except NotFound:  # the county switched the enterprise duty off
            continue
        for row in rows:
            if row.is_done or row.days_left != row.duty.reminder_lead_days:
                continue
            title = f"请于{row.due:%m月%d日}前向{county.name}报送{period.label}整改进度"
            users = User.objects.filter(is_active=True, role=Role.ENTERPRISE, enterprise=row.enterprise).exclude(
                notifications__title=title
            )
            sent += len(notification_send(users=users, title=title,
                                          url=f"/reporting/enterprise/?period={period.key}&region={county.code}"))
        late = [row for row in rows if row.is_late and row.days_late == 1]
        if late:
            names = "、".join(row.enterprise.name for row in late)
            title = f"{period.label}逾期未报送整改进度 {len(late)} 家企业：{names}"[:200]
            office = county.users.filter(is_active=True, role__in=list(COUNTY_ROLES)).exclude(notifications__title=title)
            sent += len(notification_send(users=office, title=title,
                                          url=f"/reporting/enterprise-review/?period={period.key}"))
    return sent
