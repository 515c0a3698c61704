"""Demo public revenue for `seed_demo`: special accounts for most managed estates (not all), the
uses of common parts, a year of income and spending, quarterly disclosures (one late, one
missing) and the cases the automatic checks then open. Written through the real services."""

import random
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from communities.models import Estate

from . import services
from .checks import revenue_checks_run
from .models import Approval, RevenueRule
from .periods import last_complete_period, period_containing, previous_period

# 1x1 PNG, standing in for the photo of a posted notice
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\xdacd\xf8\xcfP\x0f\x00\x03\x86\x01\x80Z4}k\x00\x00\x00\x00IEND\xaeB`\x82"
)
BANKS = ["中国农业银行休宁县支行", "中国工商银行休宁支行", "休宁农村商业银行海阳支行", "徽商银行休宁支行"]
COUNTERPARTIES = {
    "elevator_ad": ["黄山新潮传媒有限公司", "安徽分众广告有限公司"],
    "ground_parking": ["本小区业主（临时停车）"],
    "facility": ["丰巢网络技术有限公司", "休宁县星星充电运营有限公司"],
    "venue_rental": ["休宁县便民早餐店"],
}
COMMON_PARTS = {
    "elevator_ad": "各单元电梯轿厢",
    "ground_parking": "小区主干道两侧地面车位",
    "facility": "东门快递柜、北侧充电桩场地",
    "venue_rental": "南门架空层",
}


def _photo():
    return SimpleUploadedFile("公示照片.png", PNG, content_type="image/png")


def seed(context: dict) -> None:
    rng: random.Random = context["rng"]
    users = context["users"]
    county, enterprise_user = users["demo-county"], users["demo-enterprise"]
    today = timezone.localdate()
    RevenueRule.objects.get_or_create(
        region=context["county"],
        defaults={
            "disclosure_period_months": 3,
            "disclosure_deadline_days": 15,
            "enterprise_share_cap_percent": Decimal("30.00"),
            "basis": "演示数据",
        },
    )
    estates = list(
        Estate.objects.filter(community__path__startswith=context["county"].path)
        .exclude(management_type="none")
        .select_related("community")
        .order_by("pk")
    )
    if not estates:
        return
    # Most estates have an account; about one in eight has none (one recorded as "none").
    without = set(rng.sample(range(len(estates)), max(2, len(estates) // 8)))
    with_revenue = []
    for index, estate in enumerate(estates):
        writer = enterprise_user if estate.enterprise_id == enterprise_user.enterprise_id else county
        if index in without:
            if index == min(without):
                services.account_record(
                    user=writer, estate_id=estate.pk, has_account=False, note="业委会尚未成立，账户待开设"
                )
            continue
        services.account_record(
            user=writer,
            estate_id=estate.pk,
            has_account=True,
            bank=rng.choice(BANKS),
            account_name=f"{estate.name}公共收益专户",
            account_number=f"62284800{rng.randint(10**10, 10**11 - 1)}",
            opened_on=today - timedelta(days=rng.randint(400, 900)),
            holder=rng.choice(["owners_committee", "owners_committee", "enterprise_trust", "street_supervised"]),
        )
        with_revenue.append((estate, writer))

    quarters = []
    start, end = last_complete_period(today, 3)
    for _ in range(4):
        quarters.append((start, end))
        start, end = previous_period(start, 3)
    quarters.reverse()
    current_start, _current_end = period_containing(today, 3)

    for n, (estate, writer) in enumerate(with_revenue):
        kinds = (
            ["ground_parking"]
            + (["elevator_ad"] if estate.elevator_count else [])
            + rng.sample(["facility", "venue_rental"], rng.randint(0, 1))
        )
        sources = []
        for kind in kinds:
            approved = not (n in (5, 11) and kind == kinds[-1])  # two uses without the owners' consent
            yearly = Decimal(rng.randrange(6000, 48000, 100))
            sources.append(
                (
                    services.source_create(
                        user=writer,
                        estate_id=estate.pk,
                        kind=kind,
                        common_part=COMMON_PARTS[kind],
                        counterparty=rng.choice(COUNTERPARTIES[kind]),
                        contract_start=quarters[0][0],
                        contract_end=quarters[0][0] + timedelta(days=3 * 365),
                        contract_amount=yearly * 3,
                        approval=Approval.ASSEMBLY if approved else Approval.NONE,
                        approval_decision=f"{quarters[0][0].year}年第1次业主大会决议" if approved else "",
                        approval_date=quarters[0][0] - timedelta(days=20) if approved else None,
                    ),
                    yearly,
                )
            )
        # share above the 30% cap in the last quarter for one estate
        share_rate = Decimal("0.45") if n == 3 else Decimal(rng.choice(["0.10", "0.20", "0.30"]))
        for q_start, q_end in [*quarters, (current_start, today)]:
            income = Decimal("0")
            for source, yearly in sources:
                amount = (yearly / 4).quantize(Decimal("0.01"))
                day = min(q_start + timedelta(days=rng.randint(5, 40)), today)
                services.entry_create(
                    user=writer,
                    estate_id=estate.pk,
                    direction="income",
                    kind=source.kind,
                    occurred_on=day,
                    amount=amount,
                    source_id=source.pk,
                    counterparty=source.counterparty,
                    note="按合同收取",
                )
                income += amount
            if q_end >= today or income == 0:
                continue
            services.entry_create(
                user=writer,
                estate_id=estate.pk,
                direction="spending",
                kind="enterprise_share",
                occurred_on=q_end,
                amount=(income * share_rate).quantize(Decimal("0.01")),
                allocation_basis="contract",
                basis_reference="物业服务合同第十二条：公共收益的一定比例作为管理成本",
                counterparty=str(estate.enterprise or ""),
            )
            if rng.random() < 0.4:
                services.entry_create(
                    user=writer,
                    estate_id=estate.pk,
                    direction="spending",
                    kind="maintenance",
                    occurred_on=q_end - timedelta(days=rng.randint(1, 20)),
                    amount=Decimal(rng.randrange(300, 3000, 10)),
                    allocation_basis="" if (n == 7 and q_end == quarters[-1][1]) else "assembly",
                    basis_reference="业主大会决议：公共收益用于共用设施维修",
                    note="更换路灯、修补道闸",
                )

    # Quarterly disclosures: one late and one missing, both in the quarter before last (so that
    # the deadline has passed whatever day the demo is built).
    for n, (estate, writer) in enumerate(with_revenue):
        for q_start, q_end in quarters:
            earlier = q_end == quarters[-2][1]
            if earlier and n == 2:
                continue
            posted = q_end + timedelta(days=rng.randint(2, 12))
            if earlier and n == 1:
                posted = q_end + timedelta(days=25)  # past the 15-day deadline
            if posted > today:
                continue
            services.disclosure_create(
                user=writer,
                estate_id=estate.pk,
                period_start=q_start,
                posted_location=rng.choice(["小区东门公告栏", "物业服务中心公示栏", "各单元楼道公示栏"]),
                posted_on=posted,
                photo=_photo(),
                posted_on_platform=rng.random() < 0.7,
            )
    context["revenue_findings"] = revenue_checks_run(today=today)
