"""Demo subjects for `seed_demo`: the committee register of the estates the demo records with a
committee (members for some; the terms as the estates had them, so some are overdue for 换届),
the 换届 check's cases, a developer with a project of two estates and its seven obligations
(some not done, one breach booked as the developer's case), government units, and the plans'
coverage targets (盘锦 95 %, 钟山 85 %) on the county. Written through the real services."""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from campaigns.models import ProblemCategory, SeedPlan
from campaigns.selectors import campaign_for
from communities.models import Estate, OwnersBodyStatus
from rectification.models import ClueSource
from rectification.services import ClueInput, clues_intake

from . import services
from .checks import committee_renewal_check
from .models import CommitteeKind, CoverageFigure, CoverageTarget, MemberRole, UnitKind
from .obligations import Obligation

SURNAMES = "王李张刘陈杨黄赵吴周徐孙胡朱高林何郭马罗"
GIVEN = ["建国", "秀英", "志强", "丽华", "文明", "海燕", "国庆", "春梅", "德华", "玉兰", "永红", "家宝"]


def seed(context: dict) -> None:
    rng: random.Random = context["rng"]
    user = context["users"]["demo-county"]
    county = context["county"]
    today = timezone.localdate()
    estates = list(Estate.objects.filter(community__path__startswith=county.path).select_related("community__parent")
                   .order_by("pk"))
    with_committee = [e for e in estates if e.owners_body_status in (OwnersBodyStatus.COMMITTEE,
                                                                     OwnersBodyStatus.MANAGEMENT_COMMITTEE)]
    for index, estate in enumerate(with_committee):
        term_end = estate.owners_body_term_end or date(today.year + 2, 6, 30)
        if index == 0:
            term_end = today - timedelta(days=40)  # at least one committee overdue for 换届
        committee = services.committee_save(user=user, data=services.CommitteeInput(
            estate_id=estate.pk,
            kind=CommitteeKind.MANAGEMENT_COMMITTEE if estate.owners_body_status == OwnersBodyStatus.MANAGEMENT_COMMITTEE
            else CommitteeKind.OWNERS_COMMITTEE,
            term_start=term_end.replace(year=term_end.year - 5) + timedelta(days=1),
            term_end=term_end, filed_on=term_end.replace(year=term_end.year - 5) + timedelta(days=30),
            has_seal=rng.random() < 0.8, has_party_organisation=estate.has_party_organisation,
        ))
        if index % 3 == 0:
            for role in (MemberRole.DIRECTOR, MemberRole.DEPUTY, MemberRole.MEMBER, MemberRole.MEMBER, MemberRole.MEMBER):
                services.committee_member_add(user=user, committee_id=committee.pk, role=role,
                                              name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                                              is_party_member=rng.random() < 0.4)
    for estate in estates:  # the register is the source: the communities demo's columns follow it
        services.estate_owners_body_sync(estate_id=estate.pk)
    context["renewal_findings"] = committee_renewal_check(today=today)

    towns = context["towns"]
    services.government_unit_save(user=user, name="休宁县住房和城乡建设局", kind=UnitKind.DEPARTMENT, region=county)
    for town in towns.values():
        services.government_unit_save(user=user, name=f"{town.name}人民政府", kind=UnitKind.TOWN, region=town)

    developer = services.developer_save(
        user=user, name="休宁县徽韵房地产开发有限公司", credit_code="91341022MA2N0XK27X", region=county,
        contact_person="程立新", contact_phone="0559-7512345", address="休宁县海阳镇齐云大道88号",
    )
    built = [e for e in estates if e.community.parent.name == "海阳镇"][:2]
    project = services.project_save(user=user, developer_id=developer.pk, name="徽韵·齐云府",
                                    estate_ids=[e.pk for e in built], delivered_on=date(today.year - 2, 9, 30))
    for obligation in project.obligations.order_by("pk"):
        if obligation.item in (Obligation.SERVICE_ROOM, Obligation.HANDOVER):
            continue  # not done: the breach below
        services.obligation_set(user=user, obligation_id=obligation.pk, is_done=True,
                                done_on=date(today.year - 2, 9, 1), note="")
    category = ProblemCategory.objects.get(code="G5")
    clues_intake(clues=[ClueInput(
        estate=built[0], category=category, source=ClueSource.INSPECTION,
        campaign_id=getattr(campaign_for(built[0], today=today), "pk", None),
        description="交付前未与物业服务企业进行共用部位、共用设施设备承接查验，相关资料未移交。",
    )], actor=user)

    for figure, percent, plan, wording in (
        (CoverageFigure.COMMITTEE, "95", SeedPlan.PANJIN, "业主大会、业委会（物业管理委员会）和物业管理动态覆盖率始终达到95%以上"),
        (CoverageFigure.MANAGEMENT, "95", SeedPlan.PANJIN, "业主大会、业委会（物业管理委员会）和物业管理动态覆盖率始终达到95%以上"),
        (CoverageFigure.PARTY_OF_COMMITTEES, "85", SeedPlan.ZHONGSHAN, "符合条件建立党组织的业主委员会（物业管理委员会）应建尽建，力争覆盖率达到85%以上"),
        (CoverageFigure.PARTY_OF_ESTATES, "85", SeedPlan.ZHONGSHAN, "符合条件建立党组织的业主委员会（物业管理委员会）应建尽建，力争覆盖率达到85%以上"),
    ):
        CoverageTarget.objects.create(region=county, figure=figure, percent=Decimal(percent), plan=plan, wording=wording)
