"""Demo reporting for `seed_demo`: the last three months have submitted town reports (accepted by
the county office), one returned report, one late town, and stored county workbooks; last month one
enterprise submitted its rectification progress and the others did not."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts.models import Role, User
from communities.models import Region, RegionLevel
from core.bulk import refresh_statistics

from . import periods, services
from .builds import stored_report_build
from .duties import load_duties
from .models import EnterpriseReport, ReportEvent, ReportingDuty, StoredReport, UnitReport

NARRATIVES = [
    {
        "progress": "本月完成辖区住宅小区全覆盖排查，收集问题线索并逐一建立台账，已整改问题均拍照留存。",
        "good_practice": "推行“网格员+物业项目经理”联合巡查，问题当天发现、当天交办。",
        "problems": "个别老旧小区无物业管理，整改责任主体不明确；部分企业整改进度偏慢。",
        "next_steps": "对超期未整改问题约谈企业负责人，配合县专班开展“四不两直”抽查。",
    },
    {
        "progress": "召开专项整治推进会，督促物业服务企业开展自查自纠，公共收益公示情况逐小区核查。",
        "good_practice": "在小区公告栏和业主群同步公示整改进展，接受业主监督。",
        "problems": "电梯更新改造资金筹措难度较大。",
        "next_steps": "协调维修资金使用审批，推动电梯更新改造项目落地。",
    },
]


def _officer(unit: Region) -> User:
    role = Role.TOWN if unit.level == RegionLevel.TOWN else Role.COMMUNITY
    user = User.objects.filter(role=role, region=unit, is_active=True).first()
    if user is None:
        user = User(username=f"{role}-{unit.code}", first_name=f"{unit.name}专干", role=role, region=unit)
        user.set_unusable_password()
        user.save()
    return user


def _at(day, hour=10):
    return datetime.combine(day, time(hour), timezone.get_current_timezone())


def seed(context: dict) -> None:
    # reference data: a transactional test's flush may have emptied what the data migration loaded
    load_duties(ReportingDuty)
    # the workbooks below aggregate everything the earlier steps loaded: the planner must know it is
    # there (a test database's tables can be recorded as empty, and its joins then take minutes)
    refresh_statistics()
    county: Region = context["county"]
    office = context["users"]["demo-office"]
    towns = list(Region.objects.filter(parent=county, level=RegionLevel.TOWN).order_by("code"))
    if not towns:
        return
    duty = ReportingDuty.objects.for_county(county).get(code="town-monthly")
    today = timezone.localdate()
    months = [periods.period_containing("month", today).previous()]
    for _ in range(2):
        months.insert(0, months[0].previous())
    communities = list(Region.objects.filter(parent__in=towns, level=RegionLevel.COMMUNITY).order_by("path"))
    late_town = towns[-1]
    for index, period in enumerate(months):
        is_last = index == len(months) - 1
        due = duty.due_date(period)
        for town_index, town in enumerate(towns):
            if is_last and town == late_town:
                continue  # 逾期未报: the last month's report of one town never came
            officer = _officer(town)
            report = services.unit_report_save(
                user=officer, period=period, submit=True, **NARRATIVES[(index + town_index) % len(NARRATIVES)],
            )
            submitted_at = _at(due - timedelta(days=1 + town_index % 4))
            if is_last and town_index == 1:
                services.report_review(user=office, report_kind="unit", report_id=report.pk, action="return",
                                       note="“存在问题”过于笼统，请补充具体小区和问题。")
                UnitReport.objects.filter(pk=report.pk).update(submitted_at=submitted_at,
                                                               reviewed_at=submitted_at + timedelta(hours=5))
                ReportEvent.objects.filter(unit_report=report).update(at=submitted_at + timedelta(hours=5))
                ReportEvent.objects.filter(unit_report=report, to_state="submitted").update(at=submitted_at)
                continue
            services.report_review(user=office, report_kind="unit", report_id=report.pk, action="accept")
            UnitReport.objects.filter(pk=report.pk).update(submitted_at=submitted_at,
                                                           reviewed_at=submitted_at + timedelta(hours=3))
            ReportEvent.objects.filter(unit_report=report, to_state="submitted").update(at=submitted_at)
            ReportEvent.objects.filter(unit_report=report, to_state="accepted").update(at=submitted_at + timedelta(hours=3))
        for community_index, community in enumerate(communities):
            report = services.unit_report_save(
                user=_officer(community), period=period, submit=True, **NARRATIVES[community_index % len(NARRATIVES)],
            )
            services.report_review(user=office, report_kind="unit", report_id=report.pk, action="accept")
            submitted_at = _at(due - timedelta(days=2 + community_index % 3))
            UnitReport.objects.filter(pk=report.pk).update(submitted_at=submitted_at, reviewed_at=submitted_at + timedelta(hours=2))
            ReportEvent.objects.filter(unit_report=report).update(at=submitted_at)
        # the county roll-up of each month, stored as the daily job would on the 30th
        report, _built = stored_report_build(region_id=county.pk, period=period.key, trigger="schedule")
        county_due = ReportingDuty.objects.for_county(county).get(code="county-monthly").due_date(period)
        StoredReport.objects.filter(pk=report.pk).update(
            started_at=_at(county_due, 6), finished_at=_at(county_due, 6) + timedelta(seconds=4),
            data_as_of=_at(county_due, 6), delivered_at=_at(county_due, 6) + timedelta(seconds=5),
            delivered_to="市住建局（系统内下载）",
        )
    seed_enterprise_reports(context, county, months[-1])


def seed_enterprise_reports(context: dict, county: Region, period: periods.Period) -> None:
    """Last month: the demo enterprise submitted its rectification progress before the 20th (awaiting
    the county's review); the other enterprises serving the county did not (listed as late)."""
    company_user = context.get("users", {}).get("demo-enterprise")
    if company_user is None or county not in services.enterprise_counties(company_user.enterprise_id):
        return
    report = services.enterprise_report_submit(
        user=company_user, period=period, county_code=county.code,
        progress="本月对在管小区逐一开展自查，公共收益公示、电梯维保记录已整改到位，整改照片已上传台账。",
        problems="个别小区停车位划线需业委会表决，计划下月完成。",
    )
    submitted_at = _at(report.duty.due_date(period) - timedelta(days=2))
    EnterpriseReport.objects.filter(pk=report.pk).update(submitted_at=submitted_at)
    ReportEvent.objects.filter(enterprise_report=report).update(at=submitted_at, note="")
