"""Demo estate registers for `seed_demo`, written through the real services: the county's limits,
each managed estate's lifts (as many as the estate lists, so its summary does not change), its
parking, its current contract (from the estate's own contract fields) and a fee disclosure, the
maintenance fund of some estates (one collection left untransferred), 海阳镇's rows reviewed by
the town (one returned with a reason), a parking dispute, and the cases the daily checks open."""

import random
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from communities.models import Estate

from . import services
from .checks import register_checks_run
from .models import Lift, RegisterRule, ServiceContract

# 1x1 PNG, standing in for the photo of a posted fee notice
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\xdacd\xf8\xcfP\x0f\x00\x03\x86\x01\x80Z4}k\x00\x00\x00\x00IEND\xaeB`\x82"
)
LIFT_COMPANIES = ["黄山市通达电梯工程有限公司", "安徽奥联电梯维保有限公司", "休宁县安顺电梯服务部"]
MAX_DEMO_LIFTS = 12


def seed(context: dict) -> None:
    rng: random.Random = context["rng"]
    users = context["users"]
    county, town = users["demo-county"], users["demo-town"]
    today = timezone.localdate()
    RegisterRule.objects.get_or_create(region=context["county"], defaults={"basis": "演示数据（按县规定填写）"})
    estates = list(
        Estate.objects.filter(community__path__startswith=context["county"].path)
        .exclude(management_type="none").select_related("community__parent", "enterprise").order_by("pk")
    )
    for index, estate in enumerate(estates):
        _lifts(rng, county, estate, today)
        _parking(rng, county, estate)
        _contract(county, estate, today, fee_above=index % 7 == 3)
        if index % 3 == 0:
            _fund(rng, county, estate, today, overdue=index % 6 == 0)
    _reviews(town)
    haiyang = next((e for e in estates if e.community.parent.name == "海阳镇"), None)
    if haiyang is not None:
        services.parking_dispute_record(user=users["demo-community"] if _serves(users["demo-community"], haiyang)
                                        else county, estate_id=haiyang.pk, kind="ground_lock",
                                        description="3栋楼下有业主私设地锁，占用公共区域车位，物业未制止。")
    context["register_findings"] = register_checks_run(today=today)


def _serves(user, estate) -> bool:
    return Estate.objects.visible_to(user).filter(pk=estate.pk).exists()


def _lifts(rng, user, estate, today):
    count = estate.elevator_count
    if not count or count > MAX_DEMO_LIFTS:
        return
    oldest = estate.oldest_elevator_year or today.year - rng.randint(3, 20)
    for n in range(count):
        year = oldest if n == 0 else rng.randint(oldest, max(oldest, today.year - 1))
        overdue = rng.random() < 0.15
        services.lift_save(
            user=user, estate_id=estate.pk, registration_number=f"梯11{estate.pk:05d}{n + 1:03d}",
            location=f"{n // 2 + 1}栋{n % 2 + 1}单元", install_year=year,
            maintenance_company=rng.choice(LIFT_COMPANIES),
            last_maintained_on=today - timedelta(days=rng.randint(20, 60) if overdue else rng.randint(1, 14)),
            renewal_status="applied" if today.year - year >= 15 and rng.random() < 0.5 else "none",
            renewal_applied_on=today - timedelta(days=40) if today.year - year >= 15 else None,
            funding_source="maintenance_fund" if today.year - year >= 15 else "",
        )


def _parking(rng, user, estate):
    planned = max(20, estate.households // 2)
    sold = planned * rng.randint(20, 60) // 100
    rented = planned * rng.randint(10, 30) // 100
    services.parking_save(
        user=user, estate_id=estate.pk, planned_spaces=planned, public_spaces=planned // 5, sold_spaces=sold,
        rented_spaces=rented, monthly_fee=Decimal(rng.choice(["80.00", "100.00", "120.00"])),
        temporary_fee="首小时免费，其后每小时 2 元，每日最高 10 元", rules_approved=rng.random() < 0.6,
        rules="业主车辆登记后停放；公共区域车位由业主大会决定使用方式，收益计入公共收益。",
    )


def _contract(user, estate, today, *, fee_above: bool):
    if estate.enterprise_id is None or estate.contract_start is None or estate.contract_end is None:
        return
    signed = min(estate.contract_start, today)
    contract = services.contract_save(
        user=user, estate_id=estate.pk, enterprise=estate.enterprise, kind="owners", signed_on=signed,
        start=estate.contract_start, end=estate.contract_end, service_level=estate.service_level or "3",
        fee_standard=Decimal("1.20"), filing_number=estate.contract_filing_number,
        filed_on=min(signed + timedelta(days=10), today) if estate.contract_filing_number else None,
    )
    disclosed = max(contract.start, today - timedelta(days=30))
    if disclosed <= today and contract.start <= disclosed <= contract.end:
        services.fee_disclosure_save(
            user=user, estate_id=estate.pk, disclosed_on=disclosed,
            fee_charged=Decimal("1.50") if fee_above else Decimal("1.20"), location="小区大门公告栏",
            photo=SimpleUploadedFile("收费公示.png", PNG, content_type="image/png"),
        )


def _fund(rng, user, estate, today, *, overdue: bool):
    services.fund_account_save(user=user, estate_id=estate.pk, deposit_status=rng.choice(["deposited", "partial"]),
                               account_bank="休宁县住房和城乡建设局维修资金专户（徽商银行）")
    collected_on = today - timedelta(days=75 if overdue else 20)
    amount = Decimal(rng.randint(20, 90) * 1000)
    services.fund_collection_save(
        user=user, estate_id=estate.pk, collected_by=estate.enterprise.name if estate.enterprise else "建设单位",
        collected_on=collected_on, collected_amount=amount,
        transferred_on=None if overdue else collected_on + timedelta(days=7),
        transferred_amount=Decimal("0") if overdue else amount, voucher_number="" if overdue else f"JK{estate.pk:06d}",
    )
    services.fund_use_save(
        user=user, estate_id=estate.pk, item="屋面防水及外墙渗漏维修", amount=Decimal("36800.00"),
        used_on=today - timedelta(days=60), owners_approved_on=today - timedelta(days=90),
        approval_basis="专有部分面积和人数均超过三分之二参与表决，过半数同意", disclosed_on=today - timedelta(days=85),
    )


def _reviews(town):
    """The town approves 海阳镇's lifts and contracts, and returns one lift with a reason."""
    lifts = list(Lift.objects.visible_to(town).order_by("pk")[:8])
    for n, lift in enumerate(lifts):
        services.register_review(user=town, register="lifts", pk=lift.pk, approve=n != 1,
                                 reason="" if n != 1 else "使用登记证号与特种设备使用登记证不一致，请核对")
    for contract in ServiceContract.objects.visible_to(town).order_by("pk")[:5]:
        services.register_review(user=town, register="service-contracts", pk=contract.pk, approve=True)

