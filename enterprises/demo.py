"""Demo enterprises for `seed_demo`: ~15 with valid 统一社会信用代码."""

from datetime import timedelta

from django.utils import timezone

from campaigns.models import ProblemCategory
from communities.models import Estate
from rectification import services as ledger
from rectification.models import Case, SupervisionAction, SupervisionKind

from . import services
from .models import CreditEvent, CreditEventKind, Enterprise, ListEntry, ListType, ProposalDecision
from .validators import credit_code_check_char

NAMES = [
    "休宁县徽府物业服务有限公司", "黄山市海阳物业管理有限公司", "休宁县齐云物业服务有限公司", "安徽松萝物业服务有限公司",
    "黄山市新安物业管理有限公司", "休宁县状元物业服务有限公司", "安徽白岳物业管理有限公司", "休宁县横江物业服务有限公司",
    "黄山市率水物业服务有限公司", "休宁县万安物业管理有限公司", "安徽徽居物业服务有限公司", "休宁县安居物业服务有限公司",
    "黄山市祥和物业管理有限公司", "休宁县锦城物业服务有限公司", "黄山市屯溪老街物业服务有限公司",
]
LEGAL_REPRESENTATIVES = ["汪建国", "程立新", "吴海峰", "胡志明", "黄德顺", "方卫东", "金晓燕", "朱永强", "江丽华", "叶国平",
                         "戴文彬", "许春梅", "姚振华", "孙立群", "潘志远"]


def demo_credit_code(index: int) -> str:
    first17 = f"91341022MA2{index * 7919 + 100003:06d}"[:17]
    return first17 + credit_code_check_char(first17)


def seed(context: dict) -> None:
    rng = context["rng"]
    enterprises = []
    for index, name in enumerate(NAMES):
        enterprise, _ = Enterprise.objects.get_or_create(
            credit_code=demo_credit_code(index),
            defaults={
                "name": name,
                "legal_representative": LEGAL_REPRESENTATIVES[index],
                "contact_person": LEGAL_REPRESENTATIVES[(index + 3) % len(LEGAL_REPRESENTATIVES)],
                "contact_phone": f"0559-75{rng.randint(10000, 99999)}",
                "address": f"安徽省黄山市休宁县海阳镇{rng.randint(1, 200)}号",
            },
        )
        enterprises.append(enterprise)
    context["enterprises"] = enterprises


def seed_regions(context: dict) -> None:
    """Runs after the region tree exists: records where each enterprise is registered."""
    county = context["county"]
    Enterprise.objects.filter(pk__in=[e.pk for e in context["enterprises"]], registered_region__isnull=True).update(
        registered_region=county
    )


def seed_credit(context: dict) -> None:
    """Credit file, a published red/black evaluation with one answered objection, and one exit
    whose handover is late. Runs after the ledger demo, through the real services, so the credit
    events from interviews and penalties are already there (recorded by supervision_record)."""
    users = context.get("users") or {}
    county_user, company_user = users.get("demo-county"), users.get("demo-enterprise")
    county = context.get("county")
    if county_user is None or county is None:
        return
    today = timezone.localdate()
    estates = list(Estate.objects.filter(community__path__startswith=county.path, enterprise__isnull=False)
                   .select_related("community").order_by("pk"))
    if not estates:
        return

    # One listed supervision whose deadline passed before it was lifted.
    listed = SupervisionAction.objects.filter(kind=SupervisionKind.LISTED_SUPERVISION, lifted_at__isnull=True,
                                              case__enterprise__isnull=False).order_by("pk").first()
    if listed is not None:
        SupervisionAction.objects.filter(pk=listed.pk).update(deadline=today - timedelta(days=5))
        services.credit_record_overdue_supervision(supervision_id=listed.pk, today=today)

    # The demo enterprise is ordered to rectify and nominated for the black list on an open case.
    company = company_user.enterprise if company_user else context["enterprises"][0]
    case = Case.objects.filter(enterprise=company).open().order_by("pk").first()
    if case is None:
        estate = next((e for e in estates if e.enterprise_id == company.pk), None)
        if estate is not None:
            case, _clue, _created = ledger.case_open_or_join(
                estate=estate, category=ProblemCategory.objects.get(code="A1"), campaign=context.get("campaign"),
                source="inspection", description="排查发现：保洁、秩序维护人员配备不足，未按合同约定提供服务。",
                user=county_user,
            )
    if case is not None:
        ledger.supervision_record(
            case_id=case.pk, user=county_user, kind=SupervisionKind.RECTIFICATION_ORDER,
            decision_number="休住建责改〔2025〕6号", deadline=today + timedelta(days=20),
            outcome="责令限期改正物业服务不到位问题。")
        ledger.supervision_record(case_id=case.pk, user=county_user, kind=SupervisionKind.BLACKLIST_NOMINATION,
                                  basis="经约谈、责令限期改正后仍整改不到位。")

    # Commendations for three enterprises with a clean record so far.
    served = sorted({e.enterprise_id for e in estates})
    clean = [
        pk for pk in served
        if pk != company.pk and not Case.objects.filter(enterprise_id=pk).overdue().exists()
        and not CreditEvent.objects.filter(enterprise_id=pk, is_bad=True).exists()
    ][:3]
    for enterprise_id in clean:
        estate = next(e for e in estates if e.enterprise_id == enterprise_id)
        services.credit_event_record(
            enterprise_id=enterprise_id, kind=CreditEventKind.COMMENDATION, occurred_on=today - timedelta(days=40),
            description="获评县级物业服务示范项目，予以通报表彰。", user=county_user, estate=estate,
            decision_number="休住建〔2025〕21号",
        )

    # One exit in progress whose handover is late: it opens a case and a 拒不退出 event.
    leaving = next((e for e in reversed(estates) if e.enterprise_id not in (company.pk, *clean)), None)
    if leaving is not None:
        newcomer = clean[-1] if clean else next(pk for pk in served if pk != leaving.enterprise_id)
        record = services.exit_open(
            user=county_user, estate_id=leaving.pk, reason="dismissed",
            decision="业主大会表决解聘原物业服务企业（专有部分面积和人数均过三分之二参与，过半数同意）。",
            decision_date=today - timedelta(days=70), notice_date=today - timedelta(days=60),
            handover_deadline=today - timedelta(days=10), new_enterprise=Enterprise.objects.get(pk=newcomer),
        )
        for item in record.handover_items.order_by("pk")[:3]:
            services.handover_tick(user=county_user, item_id=item.pk, done_on=today - timedelta(days=15),
                                   evidence="交接清单已签字确认。")
        services.exit_record_overdue(exit_id=record.pk, today=today)
        services.exit_litigation_record(
            user=county_user, exit_id=record.pk, court="休宁县人民法院", case_number="（2025）皖1022民初1234号",
            stage="filed", outcome="业委会起诉要求原物业退出并移交，法院已立案。")

    # The demo county wants the red list to mean "commended": one rule edited as data.
    from .credit_rules import rules_for_county
    from .models import CreditRule

    rules_for_county(county)
    CreditRule.objects.filter(county=county, code="red_min_good_events").update(
        threshold=1, note="红榜须有期内表彰等良好信用记录（县专班会议确定）")

    # The evaluation: black and red proposals accepted with reasons, one changed, then published.
    evaluation = services.evaluation_open(user=county_user, jurisdiction_id=county.pk,
                                          period_start=today - timedelta(days=180), period_end=today)
    proposals = list(evaluation.proposals.order_by("pk"))
    if not any(p.proposed == ListType.RED for p in proposals):
        spare = next((p for p in proposals if p.proposed == ListType.NONE), None)
        if spare is not None:
            services.proposal_decide(user=county_user, proposal_id=spare.pk, decision=ProposalDecision.CHANGED,
                                     final=ListType.RED, reason="服务规范、业主满意度高，经专班会议研究列入红榜。")
    for p in proposals:
        if p.proposed != ListType.NONE:
            services.proposal_decide(user=county_user, proposal_id=p.pk, decision=ProposalDecision.ACCEPTED,
                                     reason="经县专班会议研究，同意评定建议。")
    services.evaluation_publish(
        user=county_user, evaluation_id=evaluation.pk, decision_number="休整治办〔2025〕8号", decided_on=today,
        valid_until=today + timedelta(days=365), basis="《休宁县物业服务企业红黑榜评定办法》",
    )

    # The demo enterprise objects; the working group answers on the record.
    entry = ListEntry.objects.filter(evaluation=evaluation, enterprise=company).first()
    if entry is not None and company_user is not None:
        objection = services.objection_file(user=company_user, entry_id=entry.pk,
                                            content="我公司已按责令改正通知书完成整改，申请复核黑榜认定。")
        services.objection_answer(user=county_user, objection_id=objection.pk, outcome="maintained",
                                  answer="经复核，整改尚未经县专班验收销号，维持原认定；整改销号后可申请信用修复。")
