"""Demo ledger for `seed_demo`: cases in every state across several towns, walked through the
real services so their timelines are real, plus supervision, one published estate plan and a
few typical cases."""

import random
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.utils import timezone

from campaigns.models import ProblemCategory
from communities.models import Estate
from core.errors import DomainError
from core.sms import notification_preference_save

from . import services
from .documents import case_document_issue
from .models import Case, CaseClue, ClueSource, SupervisionKind

# 1x1 PNG, standing in for a rectification photo
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\xdacd\xf8\xcfP\x0f\x00\x03\x86\x01\x80Z4}k\x00\x00\x00\x00IEND\xaeB`\x82"
)

DESCRIPTIONS = {
    "A": ["小区保洁不到位，垃圾清运不及时", "门岗无人值守，外来人员随意进出", "消防通道长期被占用", "物业服务项目未按合同公示"],
    "B": ["电梯广告收益去向不明", "未开设公共收益专门账户", "擅自出租小区公共用房经营", "公共收益收支情况未按季度公示"],
    "C": ["电梯频繁故障困人，维保记录缺失", "老旧电梯更新改造申报滞后"],
    "D": ["地面停车位划线不足，车辆乱停", "地下车库车位只售不租"],
    "E": ["专项维修资金使用未经业主表决"],
    "F": ["擅自提高物业服务收费标准", "物业服务人员态度恶劣", "物业服务用房被挪作他用"],
}

# target state → how many demo cases end in it
PLAN = [
    ("pending_verification", 6), ("verifying", 5), ("not_true", 3), ("rectifying", 10),
    ("pending_closure", 4), ("closed", 8), ("withdrawn", 2),
]


def _evidence(name="整改照片.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def _walk(case, target, *, county, worker, rng, today):
    def do(transition, user, data=None, files=None):
        services.case_transition(case_id=case.pk, user=user, transition=transition, files=files, **(data or {}))

    if target == "pending_verification":
        return
    if target == "withdrawn":
        do("withdraw", county, {"reason": "与已登记案件重复，已并入原案件办理。"})
        return
    do("start_verification", worker, {"verifying_person": "网格员 王芳"})
    if target == "verifying":
        return
    if target == "not_true":
        do("not_true", worker, {"reason": "经现场核查，反映问题与实际不符，已向投诉人反馈。"})
        return
    do("confirm", worker, {
        "verification_result": rng.choice(["true", "partly_true"]),
        "verification_note": "经现场核查，反映问题基本属实。",
        "measures": "责令物业服务企业限期整改，社区跟踪督促，整改完成后拍照留存。",
        "responsible_unit": case.enterprise.name if case.enterprise_id else "所在社区居委会",
        "responsible_person": "项目经理 李强",
        "deadline": today + timedelta(days=rng.randint(5, 40)),
    })
    if rng.random() < 0.5:
        do("progress", worker, {"note": "已完成部分整改，剩余问题正在处理。"}, [_evidence("进展照片.png")])
    if target == "rectifying":
        return
    do("request_closure", worker, {"note": "整改已完成，申请销号。"}, [_evidence()])
    if target == "pending_closure":
        return
    do("close", county, {"note": "经县专班复核，整改到位，予以销号。"})


def seed(context: dict) -> None:
    rng: random.Random = context["rng"]
    users = context["users"]
    county, town, community = users["demo-county"], users["demo-town"], users["demo-community"]
    campaign = context.get("campaign")
    today = timezone.localdate()
    estates = list(Estate.objects.filter(community__path__startswith=context["county"].path).select_related("community__parent"))
    categories = list(ProblemCategory.objects.filter(parent__isnull=False, is_active=True))
    if not estates or not categories:
        return
    by_group = {}
    for category in categories:
        by_group.setdefault(category.code[:1], []).append(category)

    targets = [state for state, count in PLAN for _ in range(count)]
    rng.shuffle(targets)
    cases = []
    for index, target in enumerate(targets):
        estate = estates[(index * 7) % len(estates)]
        group = rng.choice([g for g in DESCRIPTIONS if g in by_group])
        category = rng.choice(by_group[group])
        # complaints come through the complaints intake (complaints.demo), so that every clue from a
        # complaint has its complaint and 其中：投诉举报 never exceeds 受理投诉
        source = rng.choice([ClueSource.INSPECTION, ClueSource.SELF_CHECK, ClueSource.SPOT_CHECK, ClueSource.OTHER])
        case, _clue, created = services.case_open_or_join(
            estate=estate, category=category, campaign=campaign, source=source,
            description=rng.choice(DESCRIPTIONS[group]), user=county,
        )
        if not created:
            continue
        worker = community if estate.community_id == community.region_id else (
            town if estate.community.parent_id == town.region_id else county
        )
        _walk(case, target, county=county, worker=worker, rng=rng, today=today)
        cases.append(case)

    # Spread the cases over the campaign so far (their clues with them; date_timelines then
    # spaces each timeline after its first clue); some rectifying ones are overdue.
    for case in cases:
        shift = timedelta(days=rng.randint(5, 120))
        CaseClue.objects.filter(case=case).update(received_at=F("received_at") - shift)
    rectifying = [c for c in cases if Case.objects.get(pk=c.pk).state == "rectifying"]
    for case in rectifying[:4]:
        Case.objects.filter(pk=case.pk).update(deadline=today - timedelta(days=rng.randint(1, 20)))
    for case in rectifying[4:6]:
        Case.objects.filter(pk=case.pk).update(deadline=today + timedelta(days=rng.randint(0, 3)))

    # Supervision on some open cases.
    open_cases = list(Case.objects.filter(pk__in=[c.pk for c in cases]).open().order_by("pk"))
    for case in open_cases[:3]:
        services.supervision_record(case_id=case.pk, user=county, kind=SupervisionKind.LISTED_SUPERVISION,
                                    level="county", deadline=today + timedelta(days=15))
    for case in open_cases[3:5]:
        services.supervision_record(case_id=case.pk, user=county, kind=SupervisionKind.INTERVIEW,
                                    participants="物业服务企业负责人", outcome="企业承诺限期整改到位。")
    if len(open_cases) > 6:
        services.supervision_record(case_id=open_cases[5].pk, user=county, kind=SupervisionKind.PENALTY,
                                    decision_number="休住建罚〔2025〕3号", amount=Decimal("5000.00"),
                                    basis="《物业管理条例》第六十三条")
    # corruption clues transferred to discipline inspection (纪检监察), so that its demo account has
    # cases to read
    for case in [c for c in open_cases[6:] if c.enterprise_id][:3]:
        services.supervision_record(case_id=case.pk, user=county, kind=SupervisionKind.TRANSFER,
                                    transfer_target="discipline", outcome="发现工作人员涉嫌收受好处，移送纪检监察。")

    # One published plan for the estate with the most cases.
    estate = max({c.estate for c in cases}, key=lambda e: sum(1 for c in cases if c.estate_id == e.pk))
    plan = services.plan_create(
        user=county, estate_id=estate.pk, title=f"{estate.name}综合整治方案",
        content="一、问题清单：见下表。\n二、整改措施：物业服务企业限期整改，社区每周跟踪。\n三、完成时限：按各问题完成时限执行。\n四、监督方式：业主可通过本页查看整改进展。",
        case_ids=[c.pk for c in cases if c.estate_id == estate.pk],
    )
    services.plan_approve(user=county, plan_id=plan.pk)
    services.plan_publish(user=county, plan_id=plan.pk)

    # A few typical cases among the closed ones.
    closed = Case.objects.filter(pk__in=[c.pk for c in cases], state="closed").select_related("estate", "category")
    for case in closed[:3]:
        services.typical_case_mark(
            user=county, case_id=case.pk,
            title=f"{case.estate.name}{case.category.label}问题整改案例",
            basic_facts=case.description, violation=case.category.label,
            legal_basis="《物业管理条例》《安徽省物业管理条例》相关规定",
            handling_result="责令限期整改，已整改到位并销号。", is_published=True,
        )
    context["cases"] = cases


def seed_documents(context: dict) -> None:
    """A 督办函 for each case listed for supervision and one 整改通知书, issued today (after the
    timelines are dated), and the demo town officer's SMS setting with a demo number."""
    users = context["users"]
    county = users["demo-county"]
    listed = (Case.objects.filter(region_path__startswith=context["county"].path,
                                  supervisions__kind=SupervisionKind.LISTED_SUPERVISION).open().distinct().order_by("pk"))
    issued = 0
    for case in listed:
        if issued == 2:
            break
        try:
            case_document_issue(case_id=case.pk, user=county, kind="supervision_letter")
            issued += 1
        except DomainError:  # its time limits have passed since the timelines were dated: skipped
            continue
    with_deadline = Case.objects.filter(region_path__startswith=context["county"].path, state="rectifying",
                                        deadline__gte=timezone.localdate()).order_by("pk").first()
    if with_deadline is not None:
        case_document_issue(case_id=with_deadline.pk, user=county, kind="rectification_notice")
    notification_preference_save(user=users["demo-town"], sms_enabled=True, mobile="13800138000")
