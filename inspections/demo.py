"""Demo inspection ledger for `seed_demo`: a finished county round with near-full coverage, a
running one half-way (with drafts and enterprise self-checks), failures that opened or joined
cases, and one stored spot-check draw with results. Everything goes through the services."""

import random
from datetime import timedelta

from django.utils import timezone

from accounts.models import Role, User
from communities.models import Estate

from . import selectors, services
from .models import LineResult, VisitKind

FINDINGS = {
    "A": ["楼道堆放杂物，保洁不到位", "门岗登记制度未落实", "消防通道被车辆占用", "服务事项和收费标准未公示"],
    "B": ["电梯广告收益未公示", "擅自出租架空层经营", "公共收益未开设专门账户"],
    "C": ["电梯维保记录不全", "老旧电梯未申报更新改造"],
    "D": ["地面停车秩序混乱"],
    "E": ["维修资金使用未经业主表决"],
    "F": ["物业服务用房被挪作仓库", "擅自上调停车收费标准"],
}


def _answers(round, rng: random.Random, failure_rate: float, drafted: bool = False) -> dict:
    answers = {}
    for entry in selectors.visit_checklist(round=round):
        group = entry.category.code[:1]
        if group in FINDINGS and rng.random() < failure_rate:
            answers[entry.category.pk] = {"result": LineResult.FAIL, "note": rng.choice(FINDINGS[group])}
        elif drafted and rng.random() < 0.5:
            continue
        else:
            answers[entry.category.pk] = {"result": rng.choice([LineResult.PASS] * 6 + [LineResult.NOT_APPLICABLE])}
    return answers


def _officer(estate, users):
    community, town = users["demo-community"], users["demo-town"]
    if estate.community_id == community.region_id:
        return community
    if estate.community.parent_id == town.region_id:
        return town
    return users["demo-county"]


def seed(context: dict) -> None:
    rng: random.Random = context["rng"]
    users = context["users"]
    county_user = users["demo-county"]
    county = context["county"]
    campaign = context.get("campaign")
    today = timezone.localdate()
    estates = list(
        Estate.objects.filter(community__path__startswith=county.path).select_related("community__parent").order_by("pk")
    )
    if not estates:
        return

    finished = services.round_create(
        user=county_user, name="2026年上半年全面排查", region_id=county.pk, start_date=today - timedelta(days=150),
        end_date=today - timedelta(days=60), campaign_id=campaign.pk if campaign else None,
        note="对全县住宅小区开展拉网式排查，实现全覆盖。",
    )
    for estate in estates[: len(estates) - 3]:  # three estates were missed: coverage below 100%
        services.visit_save(
            user=_officer(estate, users), round_id=finished.pk, estate_id=estate.pk,
            visited_on=today - timedelta(days=rng.randint(61, 149)), inspectors="社区网格员、物业项目经理",
            enterprise_representative="项目经理",
            lines=_answers(finished, rng, 0.04), submit=True,
        )

    running = services.round_create(
        user=county_user, name="2026年下半年全面排查", region_id=county.pk, start_date=today - timedelta(days=20),
        end_date=today + timedelta(days=40), campaign_id=campaign.pk if campaign else None,
        note="重点检查消防通道、电梯安全和公共收益公示。",
    )
    shuffled = estates[:]
    rng.shuffle(shuffled)
    for index, estate in enumerate(shuffled[: len(shuffled) // 2]):
        drafted = index % 9 == 0
        services.visit_save(
            user=_officer(estate, users), round_id=running.pk, estate_id=estate.pk,
            visited_on=today - timedelta(days=rng.randint(0, 19)), inspectors="镇村干部",
            lines=_answers(running, rng, 0.06, drafted=drafted), submit=not drafted,
        )

    # 自查自纠: the demo enterprise checks some of its estates; the other enterprises have not.
    enterprise_user = User.objects.filter(role=Role.ENTERPRISE, username="demo-enterprise").first()
    if enterprise_user is not None:
        own = [e for e in estates if e.enterprise_id == enterprise_user.enterprise_id]
        for estate in own[: max(1, len(own) - 1)]:
            services.visit_save(
                user=enterprise_user, kind=VisitKind.SELF_CHECK, round_id=running.pk, estate_id=estate.pk,
                visited_on=today - timedelta(days=rng.randint(0, 10)), inspectors="企业品质部",
                lines=_answers(running, rng, 0.05), submit=True,
            )

    # 四不两直: one stored draw over the county, two of its estates already checked.
    draw = services.spot_check_draw(
        user=county_user, region_id=county.pk, sample_size=5, seed=20260301, exclude_recent_days=30,
        round_id=running.pk, note="聚焦多人同诉、整改超期的小区。",
    )
    for candidate in draw.candidates.filter(position__isnull=False).order_by("position")[:2]:
        services.visit_save(
            user=county_user, kind=VisitKind.SPOT_CHECK, spot_draw_id=draw.pk, estate_id=candidate.estate_id,
            visited_on=today, inspectors="县专班暗访组", lines=_answers(running, rng, 0.1), submit=True,
        )
    context.update(inspection_rounds=[finished, running], spot_draw=draw)
