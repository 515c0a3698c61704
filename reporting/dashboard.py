"""挂图作战: the war-room figures of a user's scope, each computed by one aggregate query, with the
ledger filter each chart element links to."""

from datetime import date, datetime, time

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.urls import reverse
from django.utils import timezone

from communities.models import Region, RegionLevel
from rectification.models import OPEN_STATES, Case, CaseClue, CaseState

from . import periods
from .figures import provider_figures
from .selectors import unit_status_list

TREND_MONTHS = 12


def _month_start(months_back: int) -> date:
    today = timezone.localdate()
    year, month = periods.add_months(today.year, today.month, -months_back)
    return date(year, month, 1)


def dashboard_data(*, user, county: Region | None) -> dict:
    ledger = reverse("rectification:case-list")
    cases = Case.objects.visible_to(user)
    town_key, town_name = "estate__community__parent_id", "estate__community__parent__name"

    towns = list(Region.objects.visible_to(user).filter(level=RegionLevel.TOWN).order_by("code").values("pk", "name"))
    by_town_state = cases.values(town_key, "state").annotate(n=Count("pk")).order_by()
    counts = {(row[town_key], row["state"]): row["n"] for row in by_town_state}
    shown_towns = [t for t in towns if any(counts.get((t["pk"], s)) for s in CaseState.values)] or towns
    states = [s for s in CaseState if any(counts.get((t["pk"], s)) for t in shown_towns)]
    town_state = {
        "towns": [t["name"] for t in shown_towns],
        "town_ids": [t["pk"] for t in shown_towns],
        "series": [
            {"id": s.value, "name": s.label, "data": [counts.get((t["pk"], s.value), 0) for t in shown_towns]}
            for s in states
        ],
        "url": ledger + "?town={town}&state={state}",
    }

    overdue_rows = (
        cases.overdue().values(town_key, town_name).annotate(n=Count("pk")).order_by("-n", town_name)
    )
    overdue = {
        "towns": [r[town_name] for r in overdue_rows], "town_ids": [r[town_key] for r in overdue_rows],
        "data": [r["n"] for r in overdue_rows], "url": ledger + "?town={town}&overdue=true",
    }

    since = datetime.combine(_month_start(TREND_MONTHS - 1), time.min, timezone.get_current_timezone())
    clue_rows = (
        CaseClue.objects.filter(case__in=cases, received_at__gte=since)
        .annotate(month=TruncMonth("received_at")).values("month").annotate(n=Count("pk")).order_by()
    )
    closed_rows = (
        cases.filter(state=CaseState.CLOSED, closed_at__gte=since)
        .annotate(month=TruncMonth("closed_at")).values("month").annotate(n=Count("pk")).order_by()
    )
    months = [periods.month(*periods.add_months(since.year, since.month, i)) for i in range(TREND_MONTHS)]

    def by_month(rows):
        values = {timezone.localtime(r["month"]).strftime("%Y-%m") if isinstance(r["month"], datetime)
                  else r["month"].strftime("%Y-%m"): r["n"] for r in rows}
        return [values.get(m.key, 0) for m in months]

    trend = {
        "months": [m.key for m in months],
        "starts": [m.start.isoformat() for m in months],
        "ends": [m.end.isoformat() for m in months],
        "clues": by_month(clue_rows),
        "closed": by_month(closed_rows),
        "url": ledger + "?created_from={start}&created_to={end}",
        "closed_url": ledger + "?state=closed",
    }

    category_rows = (
        cases.annotate(group_id=Coalesce("category__parent_id", "category_id"),
                       group_label=Coalesce("category__parent__label", "category__label"))
        .values("group_id", "group_label").annotate(n=Count("pk")).order_by("-n", "group_id")[:10]
    )
    categories = {
        "labels": [r["group_label"] for r in category_rows],
        "ids": [r["group_id"] for r in category_rows],
        "data": [r["n"] for r in category_rows],
        "url": ledger + "?category={category}",
    }

    estate_rows = (
        cases.filter(state__in=OPEN_STATES).values("estate_id", "estate__name")
        .annotate(total=Sum("complainant_count")).filter(total__gt=0).order_by("-total", "estate__name")[:10]
    )
    estates = {
        "labels": [r["estate__name"] for r in estate_rows], "ids": [r["estate_id"] for r in estate_rows],
        "data": [r["total"] for r in estate_rows], "url": ledger + "?estate={estate}",
    }

    coverage = None
    scope = user.region if user.region_id and user.region.level >= RegionLevel.COUNTY else county
    today = timezone.localdate()
    by_town = provider_figures("inspections", scope, date(today.year, 1, 1), today) if scope is not None else None
    if by_town is not None:
        names = {t["pk"]: t["name"] for t in towns}
        rows = [(pk, {"estates_inspected": 0, **f}) for pk, f in by_town.items() if pk in names and f.get("estates_managed")]
        order = {t["pk"]: index for index, t in enumerate(towns)}
        rows.sort(key=lambda item: order[item[0]])
        coverage = {
            "towns": [names[pk] for pk, _ in rows], "town_ids": [pk for pk, _ in rows],
            "managed": [f["estates_managed"] for _, f in rows],
            "inspected": [min(f["estates_inspected"], f["estates_managed"]) for _, f in rows],
            "rates": [round(100 * min(f["estates_inspected"], f["estates_managed"]) / f["estates_managed"], 1) for _, f in rows],
            "year": today.year, "url": ledger + "?town={town}&source=inspection",
        }

    submission = None
    if county is not None:
        period = periods.period_containing("month", timezone.localdate())
        within = user.region if user.region_id and user.region.level > RegionLevel.COUNTY else None
        rows = unit_status_list(county=county, period=period, within=within)
        tally = {"已采纳": 0, "已报送": 0, "已退回": 0, "未报送": 0, "逾期未报": 0}
        for row in rows:
            key = "逾期未报" if row.is_late else row.status_label
            tally[key] = tally.get(key, 0) + 1
        submission = {
            "period": period.key, "due": rows[0].due.isoformat() if rows else "",
            "items": [{"name": k, "value": v} for k, v in tally.items() if v],
            "url": reverse("reporting:review") + f"?period={period.key}",
        }

    return {
        "town_state": town_state, "overdue": overdue, "trend": trend, "categories": categories,
        "estates": estates, "submission": submission, "coverage": coverage,
        "totals": {
            "cases": sum(counts.values()),
            "open": sum(n for (_t, s), n in counts.items() if s in OPEN_STATES),
            "overdue": sum(overdue["data"]),
        },
    }
