"""Demo complaints for `seed_demo`: a few hundred over the last 12 months, across every channel
and several towns, through the real services, so some are grouped (多人同诉), most answered,
many rated (a few 不满意) and some overdue."""

import random
from datetime import datetime, time, timedelta

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from campaigns.models import ProblemCategory
from communities.models import Estate
from rectification.services import case_transition

from . import services
from .models import RETURN_CALL_CHANNELS, Channel, Complaint, ComplaintEvent, ReplyMethod
from .privacy import phone_decrypt

COUNT = 240
TEXTS = {
    "A": ["楼道垃圾好几天没人清理，气味很大", "小区门岗经常没人，外来车辆随便进出", "消防通道被私家车长期占用，物业不管",
          "物业服务内容和收费标准一直没有公示", "绿化带杂草丛生，物业很久没有修剪"],
    "B": ["电梯里的广告收入去哪了，业主从来不知道", "物业把小区架空层租出去开店", "公共收益收支从来没有公示过"],
    "C": ["3 号楼电梯又困人了，这个月第二次", "电梯用了二十年，异响很大，什么时候更换"],
    "D": ["小区车位太少，晚上车停满了消防通道", "地下车位只卖不租，业主停车难"],
    "F": ["物业费没有经过业主同意就涨价了", "物业客服态度很差，报修没人理", "物业服务用房被改成了棋牌室"],
}
REPLIES = ["经社区核实，已督促物业服务企业完成整改，并现场查看确认。", "已约谈物业服务企业负责人，限期整改，社区将跟踪督办。",
           "经核查，反映情况部分属实，已责令物业公司公示相关信息。"]
COMMENTS = {"satisfied": ["处理很及时，谢谢", ""], "basically": ["基本解决了，希望保持", ""],
            "unsatisfied": ["问题没有根本解决，过几天又这样了", "只是口头答复，没看到实际整改"]}


def _phone(rng):
    return f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}"


def seed(context: dict) -> None:
    rng: random.Random = context["rng"]
    users = context["users"]
    county = users["demo-county"]
    estates = list(Estate.objects.filter(community__path__startswith=context["county"].path)
                   .select_related("community__parent").order_by("pk"))
    categories = {}
    for category in ProblemCategory.objects.filter(is_active=True).exclude(children__is_active=True):
        if category.code[:1] in TEXTS:
            categories.setdefault(category.code[:1], []).append(category)
    if not estates or not categories:
        return
    now = timezone.now()
    hot_estates = estates[:6]  # a few estates with many complaints (多人同诉)
    phones = [_phone(rng) for _ in range(160)]
    channels = [c for c in Channel.values]
    created = []
    for index in range(COUNT):
        estate = rng.choice(hot_estates) if rng.random() < 0.35 else rng.choice(estates)
        group = rng.choice(list(categories))
        category = categories[group][0] if estate in hot_estates else rng.choice(categories[group])
        channel = rng.choice(channels)
        days_ago = int(rng.triangular(0, 365, 20))
        received = timezone.make_aware(datetime.combine(
            timezone.localdate() - timedelta(days=days_ago), time(rng.randint(8, 20), rng.randint(0, 59))))
        received = min(received, now - timedelta(minutes=5))
        anonymous = rng.random() < 0.1
        reference = ""
        if channel == Channel.HOTLINE_12345:
            reference = f"GD{received:%Y%m%d}{index:04d}"
        elif channel == Channel.PETITION:
            reference = f"休信〔{received:%Y}〕{index:03d}号"
        complaint = services.complaint_create(
            channel=channel, reference=reference, received_at=received, estate=estate, category=category,
            description=rng.choice(TEXTS[group]), phone="" if anonymous else rng.choice(phones),
            complainant_name="" if anonymous else rng.choice("王李张刘陈杨黄赵吴周") + rng.choice(["先生", "女士", "阿姨", "师傅"]),
            is_anonymous=anonymous, user=None if channel in (Channel.PUBLIC_FORM, Channel.QR_CODE) else county,
        )
        created.append((complaint, days_ago))

    for complaint, days_ago in created:
        # most older complaints are answered, a few stay overdue; recent ones are still open
        if days_ago < 7 or rng.random() < 0.15:
            continue
        services.complaint_reply(complaint_id=complaint.pk, user=county, reply=rng.choice(REPLIES),
                                 method=rng.choice(ReplyMethod.values))
        replied_at = complaint.received_at + timedelta(days=rng.randint(2, 12))
        Complaint.objects.filter(pk=complaint.pk).update(replied_at=min(replied_at, now))
        if rng.random() < 0.65:
            satisfaction = rng.choices(["satisfied", "basically", "unsatisfied"], weights=[60, 28, 12])[0]
            complaint.refresh_from_db()
            comment = rng.choice(COMMENTS[satisfaction]) or ("没有解决" if satisfaction == "unsatisfied" else "")
            if complaint.channel in RETURN_CALL_CHANNELS:  # hotline and 信访 callers are called back (回访)
                services.complaint_record_return_call(complaint_id=complaint.pk, user=county,
                                                      satisfaction=satisfaction, comment=comment)
                continue
            last4 = ""
            if complaint.phone_encrypted:
                last4 = phone_decrypt(complaint.phone_encrypted)[-4:]
            services.complaint_rate(tracking_code=complaint.tracking_code, phone_last4=last4,
                                    satisfaction=satisfaction, comment=comment)
    context["complaints"] = [c for c, _ in created]
    _some_waiting_for_their_reply(county, [c.pk for c, days_ago in created if days_ago >= 10])


def _some_waiting_for_their_reply(county, complaint_ids: list[int]) -> None:
    """A few cases verified as untrue through the real transitions, so their complainants wait for
    the reply (待反馈) on the county's home page, with the draft the case's result wrote."""
    case_ids = list(
        Complaint.objects.filter(pk__in=complaint_ids, status="received", case__state="pending_verification")
        .order_by("case_id").values_list("case_id", flat=True).distinct()[:5]
    )
    for case_id in case_ids:
        case_transition(case_id=case_id, user=county, transition="start_verification")
        case_transition(case_id=case_id, user=county, transition="not_true",
                        reason="经社区现场核查，反映的问题已不存在，相关设施运行正常。")


def date_replies(context: dict) -> None:
    """After portal.demo.date_timelines has dated the cases: a complaint whose case is closed
    is answered after the closure, and every rating comes after its reply, never after now."""
    county = context.get("county")
    if county is None:
        return
    now = timezone.now()
    # the intake wrote 受理 "now": it happened when the complaint was received
    ComplaintEvent.objects.filter(kind="received", complaint__region_path__startswith=county.path).update(
        at=Subquery(Complaint.objects.filter(pk=OuterRef("complaint_id")).values("received_at")[:1]))
    rows = (Complaint.objects.filter(region_path__startswith=county.path, replied_at__isnull=False)
            .values_list("pk", "received_at", "replied_at", "rated_at", "case__closed_at"))
    for pk, received_at, replied_at, rated_at, closed_at in rows:
        replied = max(replied_at, received_at + timedelta(hours=4))
        if closed_at is not None:
            replied = max(replied, closed_at + timedelta(hours=2 + pk % 20))
        replied = min(replied, now - timedelta(minutes=2))
        changes = {"replied_at": replied}
        if rated_at is not None:
            changes["rated_at"] = min(replied + timedelta(days=1 + pk % 4, hours=pk % 7), now - timedelta(minutes=1))
        Complaint.objects.filter(pk=pk).update(**changes)
