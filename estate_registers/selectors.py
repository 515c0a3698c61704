"""Reads of the estate registers: the scoped rows of each register, the lift lists (overdue for
maintenance, older than the limit — each county's limits, data), the counts the overview shows
(each equal to the list it opens) and the export rows."""

from datetime import date, timedelta

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from rectification.models import Case

from .models import Lift, ParkingDispute, RegisterEvent, ReviewStatus
from .registry import REGISTERS, Register
from .rules import Limits, limits_index

#: the taxonomy of lift faults and complaints (钟山 (三) / 休宁 (三) 老旧电梯: C1–C3)
LIFT_CATEGORY_PREFIX = "C"


def register_rows(*, user, register: Register):
    rows = register.model.objects.visible_to(user).select_related(
        "estate__community__parent", "entered_by", "reviewed_by"
    )
    if "enterprise" in register.columns:
        rows = rows.select_related("enterprise")
    if register.model is Lift:
        rows = rows.annotate(case_count=Coalesce(Subquery(
            Case.objects.filter(estate_id=OuterRef("estate_id"), category__code__startswith=LIFT_CATEGORY_PREFIX)
            .order_by().values("estate_id").annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ), Value(0)))
    return rows


def _by_limit(field_condition, index: dict[str, Limits], path_lookup: str = "estate__community__path") -> Q:
    """OR over the regions that have a rule (each path minus its deeper rule regions) and the rest
    (the defaults) of `field_condition(limits)`: the nearest rule wins, as in rules.limits_for_path."""
    paths = sorted(index)
    combined = Q()
    for path in paths:
        deeper = [p for p in paths if p != path and p.startswith(path)]
        part = Q(**{f"{path_lookup}__startswith": path}) & field_condition(index[path])
        for other in deeper:
            part &= ~Q(**{f"{path_lookup}__startswith": other})
        combined |= part
    rest = field_condition(Limits())
    for path in paths:
        rest &= ~Q(**{f"{path_lookup}__startswith": path})
    return combined | rest


def lifts_in_service(queryset):
    return queryset.filter(in_service=True).exclude(status=ReviewStatus.RETURNED)


def lifts_maintenance_overdue(queryset, *, today: date):
    """In-service lifts whose last maintenance is older than the interval (15 days by default:
    半月维保), or never recorded."""
    index = limits_index()
    return lifts_in_service(queryset).filter(_by_limit(
        lambda limits: Q(last_maintained_on__isnull=True)
        | Q(last_maintained_on__lt=today - timedelta(days=limits.lift_maintenance_days)),
        index,
    ))


def lifts_over_age(queryset, *, today: date):
    """In-service lifts older than the county's limit (15 years by default)."""
    index = limits_index()
    return lifts_in_service(queryset).filter(_by_limit(
        lambda limits: Q(install_year__lte=today.year - limits.lift_max_age_years), index,
    ))


def overview_counts(*, user, today: date) -> list[dict]:
    """Per register: its rows by review status (one query each); for lifts also the two lists."""
    result = []
    for register in REGISTERS.values():
        rows = register.model.objects.visible_to(user)
        counts = rows.aggregate(
            total=Count("pk"),
            **{status: Count("pk", filter=Q(status=status)) for status in ReviewStatus.values},
        )
        item = {"register": register, **counts}
        if register.model is Lift:
            item["maintenance_overdue"] = lifts_maintenance_overdue(rows, today=today).count()
            item["over_age"] = lifts_over_age(rows, today=today).count()
        result.append(item)
    return result


def row_events(*, user, register: Register, pk: int):
    return (
        RegisterEvent.objects.visible_to(user).filter(register=register.slug, object_id=pk)
        .select_related("actor").order_by("at", "id")
    )


def parking_disputes(*, user):
    return ParkingDispute.objects.visible_to(user).select_related(
        "estate__community__parent", "case", "recorded_by"
    )


def lift_cases(*, user, estate_id: int):
    return (
        Case.objects.visible_to(user).filter(estate_id=estate_id, category__code__startswith=LIFT_CATEGORY_PREFIX)
        .select_related("category").order_by("-created_at")
    )


# ---------------------------------------------------------------------------------------------
# Export


def export_headers(register: Register) -> list[str]:
    fields = [register.model._meta.get_field(name) for name in register.columns]
    return ["小区", "镇/街道", "社区", *[str(f.verbose_name) for f in fields], "审核状态", "审核意见", "填报时间"]


def display(row, name: str):
    field = row._meta.get_field(name)
    if field.choices:
        return getattr(row, f"get_{name}_display")()
    value = getattr(row, name)
    if field.is_relation:
        return str(value) if value is not None else ""
    return value


def export_rows(register: Register, rows):
    for row in rows.iterator(chunk_size=500):
        yield [
            row.estate.name, row.estate.community.parent.name, row.estate.community.name,
            *[display(row, name) for name in register.columns],
            row.get_status_display(), row.review_note, row.entered_at,
        ]
