"""The red/black evaluation rules (红黑榜评定规则): thresholds are data (CreditRule rows per
county, editable in the admin); this module reads the facts of a jurisdiction and period with a
fixed number of aggregate queries and turns them into a proposal per enterprise with its reasons."""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, Sum

from campaigns.models import SubjectKind
from communities.models import Estate, Region
from rectification.models import (
    OPEN_STATES,
    Case,
    ClueSource,
    SupervisionAction,
    SupervisionKind,
    VerificationResult,
)

from .models import (
    DEFAULT_CREDIT_RULES,
    GOOD_EVENT_KINDS,
    CreditEvent,
    CreditEventKind,
    CreditRule,
    CreditRuleCode,
    ListType,
)

BLACK_RULES = [c for c in CreditRuleCode if c.value.startswith("black_")]
RED_RULES = [c for c in CreditRuleCode if c.value.startswith("red_")]


def rules_for_county(county: Region) -> dict[str, dict]:
    """The county's rules as {code: {"threshold": "2.00", "active": True}}; the defaults are
    created on first use so that the working group can edit them in the admin."""
    CreditRule.objects.bulk_create(
        [CreditRule(county=county, code=code, threshold=Decimal(value)) for code, value in DEFAULT_CREDIT_RULES.items()],
        ignore_conflicts=True,
    )
    return {
        rule.code: {"threshold": str(rule.threshold), "active": rule.is_active}
        for rule in CreditRule.objects.filter(county=county)
    }


@dataclass
class Facts:
    households: int = 0
    estate_count: int = 0
    verified_complaint_cases: int = 0
    overdue_cases: int = 0
    overdue_supervisions: int = 0
    event_counts: dict = field(default_factory=dict)
    bad_events: int = 0

    @property
    def complaint_rate(self) -> Decimal:
        """Verified-true complaint cases per 100 households (每百户核查属实投诉案件数)."""
        if not self.households:
            return Decimal("0.00")
        return (Decimal(self.verified_complaint_cases) * 100 / self.households).quantize(Decimal("0.01"), ROUND_HALF_UP)


def jurisdiction_facts(*, jurisdiction: Region, period_start: date, period_end: date, today: date) -> dict[int, Facts]:
    """The facts of every enterprise serving an estate in the jurisdiction: six aggregate
    queries, whatever the number of enterprises."""
    path = jurisdiction.path
    as_of = min(today, period_end)
    facts: dict[int, Facts] = {}
    for row in (
        Estate.objects.filter(community__path__startswith=path, enterprise__isnull=False)
        .values("enterprise_id").annotate(households=Sum("households"), estates=Count("id"))
    ):
        facts[row["enterprise_id"]] = Facts(households=row["households"] or 0, estate_count=row["estates"])
    if not facts:
        return facts
    # only the enterprise's own cases: a developer's or a committee's case at its estate is not its record
    cases = Case.objects.of_enterprises().filter(region_path__startswith=path, enterprise_id__in=facts.keys())
    for row in (
        cases.filter(Q(source=ClueSource.COMPLAINT) | Q(complainant_count__gt=0))
        .filter(verification_result__in=[VerificationResult.TRUE, VerificationResult.PARTLY_TRUE])
        .filter(created_at__date__gte=period_start, created_at__date__lte=period_end)
        .values("enterprise_id").annotate(n=Count("id"))
    ):
        facts[row["enterprise_id"]].verified_complaint_cases = row["n"]
    for row in (
        cases.filter(state__in=OPEN_STATES, deadline__lt=as_of).values("enterprise_id").annotate(n=Count("id"))
    ):
        facts[row["enterprise_id"]].overdue_cases = row["n"]
    for row in (
        SupervisionAction.objects.filter(
            case__region_path__startswith=path, case__enterprise_id__in=facts.keys(), case__subject_kind=SubjectKind.ENTERPRISE,
            kind=SupervisionKind.LISTED_SUPERVISION, deadline__gte=period_start, deadline__lt=as_of,
        )
        .filter(Q(lifted_at__isnull=True) | Q(lifted_at__date__gt=F("deadline")))
        .values("case__enterprise_id").annotate(n=Count("id"))
    ):
        facts[row["case__enterprise_id"]].overdue_supervisions = row["n"]
    for row in (
        CreditEvent.objects.filter(
            # an event counts in every evaluation its counted period (计分期间) overlaps
            region_path__startswith=path, enterprise_id__in=facts.keys(), withdrawn_at__isnull=True,
            counts_from__lte=period_end, counts_until__gte=period_start,
        )
        .values("enterprise_id", "kind", "is_bad").annotate(n=Count("id"))
    ):
        item = facts[row["enterprise_id"]]
        item.event_counts[row["kind"]] = item.event_counts.get(row["kind"], 0) + row["n"]
        if row["is_bad"]:
            item.bad_events += row["n"]
    return facts


def _count_rule(label: str, count: int, threshold: Decimal) -> str | None:
    return f"{label} {count} 次（阈值：≥ {threshold.normalize():f}）" if count >= threshold else None


def propose(facts: Facts, rules: dict[str, dict]) -> tuple[str, list[str], dict]:
    """(red / black / none, reasons, metrics) for one enterprise."""

    def rule(code):
        spec = rules.get(code)
        if spec is None or not spec["active"]:
            return None
        return Decimal(spec["threshold"])

    counts = facts.event_counts
    rate = facts.complaint_rate
    black_checks = {
        CreditRuleCode.BLACK_REFUSED_RECTIFICATION: lambda t: _count_rule(
            "拒不整改", counts.get(CreditEventKind.REFUSED_RECTIFICATION, 0), t),
        CreditRuleCode.BLACK_OVERDUE_CASES: lambda t: (
            f"整改超期未完成案件 {facts.overdue_cases} 件（阈值：≥ {t.normalize():f}）" if facts.overdue_cases >= t else None),
        CreditRuleCode.BLACK_SUPERVISION_OVERDUE: lambda t: _count_rule(
            "挂牌督办未按期解除", max(facts.overdue_supervisions, counts.get(CreditEventKind.SUPERVISION_OVERDUE, 0)), t),
        CreditRuleCode.BLACK_PENALTY: lambda t: _count_rule("受到行政处罚", counts.get(CreditEventKind.PENALTY, 0), t),
        CreditRuleCode.BLACK_COMPLAINT_RATE: lambda t: (
            f"每百户核查属实投诉 {rate} 件，投诉集中（阈值：> {t}）" if rate > t else None),
        CreditRuleCode.BLACK_REFUSED_EXIT: lambda t: _count_rule("拒不退出", counts.get(CreditEventKind.REFUSED_EXIT, 0), t),
        CreditRuleCode.BLACK_NOMINATION: lambda t: _count_rule(
            "被提名黑名单", counts.get(CreditEventKind.BLACKLIST_NOMINATION, 0), t),
    }
    metrics = {
        "households": facts.households, "estate_count": facts.estate_count,
        "verified_complaint_cases": facts.verified_complaint_cases, "complaint_rate": str(rate),
        "overdue_cases": facts.overdue_cases, "overdue_supervisions": facts.overdue_supervisions,
        "bad_events": facts.bad_events, "event_counts": dict(counts), "satisfaction": None,
    }
    reasons = []
    for code, check in black_checks.items():
        threshold = rule(code)
        if threshold is not None and threshold > 0:
            reason = check(threshold)
            if reason:
                reasons.append(reason)
    if reasons:
        return ListType.BLACK, reasons, metrics

    red_reasons, red = [], True
    threshold = rule(CreditRuleCode.RED_COMPLAINT_RATE)
    if threshold is not None:
        ok = rate <= threshold
        red &= ok
        red_reasons.append(f"每百户核查属实投诉 {rate} 件（红榜阈值：≤ {threshold}）{'' if ok else '，未达标'}")
    threshold = rule(CreditRuleCode.RED_MAX_BAD_EVENTS)
    if threshold is not None:
        ok = facts.bad_events <= threshold
        red &= ok
        red_reasons.append(f"期内不良信用记录 {facts.bad_events} 条（红榜阈值：≤ {threshold.normalize():f}）{'' if ok else '，未达标'}")
    threshold = rule(CreditRuleCode.RED_MAX_OVERDUE_CASES)
    if threshold is not None:
        ok = facts.overdue_cases <= threshold
        red &= ok
        red_reasons.append(f"整改超期案件 {facts.overdue_cases} 件（红榜阈值：≤ {threshold.normalize():f}）{'' if ok else '，未达标'}")
    threshold = rule(CreditRuleCode.RED_MIN_GOOD_EVENTS)
    if threshold is not None and threshold > 0:
        good = sum(n for kind, n in counts.items() if kind in GOOD_EVENT_KINDS)
        ok = good >= threshold
        red &= ok
        red_reasons.append(f"期内良好信用记录 {good} 条（红榜阈值：≥ {threshold.normalize():f}）{'' if ok else '，未达标'}")
    if rule(CreditRuleCode.RED_MIN_SATISFACTION) is not None:
        # No satisfaction ratings exist yet (the complaints module collects them); the rule is
        # shown but does not decide until it has data.
        red_reasons.append("满意率：暂无评价数据，本项不作为评定条件")
    if facts.households == 0:
        red = False
        red_reasons.append("服务户数为 0，无法计算投诉率")
    if red:
        return ListType.RED, red_reasons, metrics
    return ListType.NONE, [r for r in red_reasons if "未达标" in r] or ["未触发黑榜规则，未全部满足红榜条件"], metrics


def proposals_for(*, jurisdiction: Region, period_start: date, period_end: date, today: date,
                  rules: dict[str, dict]) -> dict[int, tuple[str, list[str], dict]]:
    facts = jurisdiction_facts(jurisdiction=jurisdiction, period_start=period_start, period_end=period_end, today=today)
    return {enterprise_id: propose(item, rules) for enterprise_id, item in facts.items()}
