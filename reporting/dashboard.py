"""挂图作战: the war-room figures of a user's scope, each computed by one aggregate query, with the
ledger filter each chart element links to.

A county's or a town's charts group by town. A province's 1,500 towns make an unreadable chart
(and a slow one), so a province-wide or a city-wide scope groups by the level below it: a city's
counties open the ledger filtered by county (?county=<id>); a province's cities open the dashboard
of that city (the ledger has no city filter).

The 12-month trend reads the past months from the summary that reporting.tasks
.build_case_monthly_figures rebuilds nightly (CaseMonthlyFigure, one row per town and month); the
current month, and any month never summarised, are counted live."""

from datetime import date, datetime, time
from time import perf_counter

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce, Substr, TruncMonth
from django.urls import reverse
from django.utils import timezone

from accounts.capabilities import can
from campaigns.models import ProblemCategory
from communities.models import Estate, Region, RegionLevel
from rectification.models import OPEN_STATES, Case, CaseClue, CaseState

from . import periods
from .coverage import coverage_against_targets
from .figures import collect, figure_get, provider_figures, rate_get, rate_list
from .models import CaseMonthlyFigure, CaseMonthlySummary
from .selectors import TALLY_KEYS, unit_status_tally

TREND_MONTHS = 12
#: what a chart's bars are, by the level they group by
LEVEL_LABELS = {RegionLevel.PROVINCE: "省", RegionLevel.CITY: "市", RegionLevel.COUNTY: "县（区）",
                RegionLevel.TOWN: "镇（街道）"}
TOWN_KEY = "estate__community__parent_id"


def _month_start(months_back: int) -> date:
    today = timezone.localdate()
    year, month = periods.add_months(today.year, today.month, -months_back)
    return date(year, month, 1)


def _next_month(day: date) -> date:
    return date(*periods.add_months(day.year, day.month, 1), 1)


def _aware(day: date) -> datetime:
    return datetime.combine(day, time.min, timezone.get_current_timezone())


def _month_of(value) -> date:
    """The first day of the month a TruncMonth value stands for (a datetime or a date)."""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)


def _summary_prefix(user, within: Region | None) -> str | None:
    """The region path prefix the summary answers this user's scope with ("" = everything), or
    None when it cannot: a community's scope is narrower than the summary's towns, and
    discipline inspection only sees corruption clues."""
    if user.sees_everything:
        return within.path if within is not None else ""
    if not can(user, "report.county_figures"):
        return None
    if within is not None:
        return within.path
    if user.region_id and user.region.level <= RegionLevel.TOWN:
        return user.region.path
    return None


# ---------------------------------------------------------------------------------------------
# the monthly summary


def monthly_figures_build(months=None) -> list[CaseMonthlySummary]:
    """(Re)builds the summary of past months (default: the trend's past months): clues received
    and cases closed per town and month, counted with two aggregate queries over the whole span.
    Idempotent: each month's rows are replaced in one transaction (upserting the month's
    CaseMonthlySummary row first serialises two builds of the same month). The current month and
    future months are never summarised."""
    this_month = _month_start(0)
    if months is None:
        months = [_month_start(n) for n in range(TREND_MONTHS - 1, 0, -1)]
    months = sorted({m.replace(day=1) for m in months if m.replace(day=1) < this_month})
    if not months:
        return []
    started = perf_counter()
    wanted = set(months)
    start, end = _aware(months[0]), _aware(_next_month(months[-1]))
    figures: dict[tuple[date, int], list[int]] = {}
    clue_rows = (
        CaseClue.objects.filter(received_at__gte=start, received_at__lt=end)
        .annotate(month=TruncMonth("received_at")).values("month", f"case__{TOWN_KEY}").annotate(n=Count("pk"))
        .order_by()
    )
    for row in clue_rows:
        month, town = _month_of(row["month"]), row[f"case__{TOWN_KEY}"]
        if month in wanted and town is not None:
            figures.setdefault((month, town), [0, 0])[0] += row["n"]
    closed_rows = (
        Case.objects.filter(state=CaseState.CLOSED, closed_at__gte=start, closed_at__lt=end)
        .annotate(month=TruncMonth("closed_at")).values("month", TOWN_KEY).annotate(n=Count("pk")).order_by()
    )
    for row in closed_rows:
        month, town = _month_of(row["month"]), row[TOWN_KEY]
        if month in wanted and town is not None:
            figures.setdefault((month, town), [0, 0])[1] += row["n"]
    built_at = timezone.now()
    duration_ms = int((perf_counter() - started) * 1000)
    per_month = {m: 0 for m in months}
    for month, _town in figures:
        per_month[month] += 1
    summaries = [CaseMonthlySummary(month=m, built_at=built_at, figures=per_month[m], duration_ms=duration_ms)
                 for m in months]
    with transaction.atomic():
        CaseMonthlySummary.objects.bulk_create(
            summaries, update_conflicts=True, unique_fields=["month"], update_fields=["built_at", "figures", "duration_ms"],
        )
        CaseMonthlyFigure.objects.filter(month__in=months).delete()
        CaseMonthlyFigure.objects.bulk_create(
            [CaseMonthlyFigure(month=m, region_id=town, clues_received=c, cases_closed=d)
             for (m, town), (c, d) in sorted(figures.items())],
            batch_size=2000,
        )
    return summaries


def _trend(cases, prefix: str | None, ledger: str) -> dict:
    this_month = _month_start(0)
    starts = [_month_start(n) for n in range(TREND_MONTHS - 1, -1, -1)]
    months = [periods.month(d.year, d.month) for d in starts]
    clues: dict[date, int] = {}
    closed: dict[date, int] = {}
    summarised: dict[date, datetime] = {}
    if prefix is not None:
        # the summarised months with the sums of the scope's towns, in one query
        figures = CaseMonthlyFigure.objects.filter(month=OuterRef("month"))
        if prefix:
            figures = figures.filter(region__path__startswith=prefix)

        def total(field):
            return Coalesce(Subquery(figures.values("month").annotate(s=Sum(field)).values("s")[:1]), 0)

        for month, built_at, c, d in (
            CaseMonthlySummary.objects.filter(month__gte=starts[0], month__lt=this_month)
            .annotate(c=total("clues_received"), d=total("cases_closed")).values_list("month", "built_at", "c", "d")
        ):
            summarised[month], clues[month], closed[month] = built_at, c, d
    live = [d for d in starts if d not in summarised]
    if live:
        since = _aware(live[0])
        wanted = set(live)
        # a province-wide user: no `case_id IN (every case)` semi-join
        clue_qs = CaseClue.objects.all() if prefix == "" else CaseClue.objects.filter(case__in=cases)
        clue_rows = (
            clue_qs.filter(received_at__gte=since)
            .annotate(month=TruncMonth("received_at")).values("month").annotate(n=Count("pk")).order_by()
        )
        closed_rows = (
            cases.filter(state=CaseState.CLOSED, closed_at__gte=since)
            .annotate(month=TruncMonth("closed_at")).values("month").annotate(n=Count("pk")).order_by()
        )
        for rows, target in ((clue_rows, clues), (closed_rows, closed)):
            for row in rows:
                month = _month_of(row["month"])
                if month in wanted:
                    target[month] = target.get(month, 0) + row["n"]
    summary = None
    if summarised:
        built_at = timezone.localtime(min(summarised.values()))
        summary = {
            "built_at": built_at.isoformat(), "months": [d.strftime("%Y-%m") for d in starts if d in summarised],
            "label": f"往月数据截至 {built_at:%Y-%m-%d %H:%M} 汇总"
                     + ("，本月及未汇总月份为实时数据" if len(live) > 1 else "，本月为实时数据"),
        }
    return {
        "months": [m.key for m in months],
        "starts": [m.start.isoformat() for m in months],
        "ends": [m.end.isoformat() for m in months],
        "clues": [clues.get(d, 0) for d in starts],
        "closed": [closed.get(d, 0) for d in starts],
        "summary": summary,
        # a month's clues: the registry's 收到线索 list of that month
        "url": reverse("rectification:clue-list") + "?received_from={start}&received_to={end}",
        # a month's closures: the registry's 已销号 list of that month
        "closed_url": ledger + "?state=closed&closed_from={start}&closed_to={end}",
    }


def _by_town(user, cases, within: Region | None, ledger: str) -> tuple[list[dict], dict, dict, dict]:
    """A county's or a town's charts: by town, each bar opening the ledger filtered to it."""
    town_key, town_name = TOWN_KEY, "estate__community__parent__name"
    towns = Region.objects.visible_to(user).filter(level=RegionLevel.TOWN)
    if within is not None:
        towns = towns.filter(path__startswith=within.path)
    towns = list(towns.order_by("code").values("pk", "name"))
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
        "level": LEVEL_LABELS[RegionLevel.TOWN],
    }
    overdue_rows = (
        cases.overdue().values(town_key, town_name).annotate(n=Count("pk")).order_by("-n", town_name)
    )
    overdue = {
        "towns": [r[town_name] for r in overdue_rows], "town_ids": [r[town_key] for r in overdue_rows],
        "data": [r["n"] for r in overdue_rows], "url": ledger + "?town={town}&overdue=true",
        "level": LEVEL_LABELS[RegionLevel.TOWN],
    }
    return towns, counts, town_state, overdue


def _by_area(cases, areas: list[dict], level: int, ledger: str) -> tuple[dict, dict, dict]:
    """A province's or a city's charts: by the cities or counties below it, counted on the case's
    denormalised region path (its first characters are the area's path: no join)."""
    length = max({len(a["path"]) for a in areas}, key=[len(a["path"]) for a in areas].count)
    area = Substr("region_path", 1, length)
    rows = cases.annotate(area=area).values("area", "state").annotate(n=Count("*")).order_by()
    counts = {(row["area"], row["state"]): row["n"] for row in rows}
    shown = [a for a in areas if any(counts.get((a["path"], s)) for s in CaseState.values)] or areas
    states = [s for s in CaseState if any(counts.get((a["path"], s)) for a in shown)]
    # the ledger filters by county (?county=<id>, province- and city-wide users); a city's bar
    # opens that city's dashboard instead (its counties, then the ledger)
    if level == RegionLevel.COUNTY:
        state_url, overdue_url = ledger + "?county={town}&state={state}", ledger + "?county={town}&overdue=true"
    else:
        state_url = overdue_url = reverse("reporting:dashboard") + "?region={region}"
    town_state = {
        "towns": [a["name"] for a in shown],
        "town_ids": [a["pk"] for a in shown],
        "codes": [a["code"] for a in shown],
        "series": [
            {"id": s.value, "name": s.label, "data": [counts.get((a["path"], s.value), 0) for a in shown]}
            for s in states
        ],
        "url": state_url,
        "level": LEVEL_LABELS[level],
        "drill": level < RegionLevel.COUNTY,
    }
    overdue_counts = {
        row["area"]: row["n"] for row in cases.overdue().annotate(area=area).values("area").annotate(n=Count("*")).order_by()
    }
    ranked = sorted((a for a in areas if overdue_counts.get(a["path"])), key=lambda a: (-overdue_counts[a["path"]], a["name"]))
    overdue = {
        "towns": [a["name"] for a in ranked], "town_ids": [a["pk"] for a in ranked], "codes": [a["code"] for a in ranked],
        "data": [overdue_counts[a["path"]] for a in ranked], "url": overdue_url, "level": LEVEL_LABELS[level],
        "total": sum(overdue_counts.values()),
    }
    return counts, town_state, overdue


def _estates(cases, ledger: str) -> dict:
    """The ten estates with the most complainants in open cases (ties by name): summed per estate
    without joining the estates (a province has 100,000 open cases), then the names of the leaders
    and of those tied with the tenth, in the database's order."""
    totals = sorted(
        cases.filter(state__in=OPEN_STATES).values_list("estate_id").annotate(total=Sum("complainant_count"))
        .filter(total__gt=0).order_by(),
        key=lambda row: -row[1],
    )
    leaders = [row for row in totals if row[1] >= totals[9][1]] if len(totals) > 10 else totals
    names = list(Estate.objects.filter(pk__in=[pk for pk, _ in leaders]).order_by("name", "pk").values_list("pk", "name"))
    rank = {pk: index for index, (pk, _name) in enumerate(names)}
    rows = sorted(leaders, key=lambda row: (-row[1], rank[row[0]]))[:10]
    labels = dict(names)
    return {
        "labels": [labels[pk] for pk, _ in rows], "ids": [pk for pk, _ in rows],
        "data": [total for _, total in rows], "url": ledger + "?estate={estate}",
    }


def _categories(cases, ledger: str) -> dict:
    """The ten largest top-level categories (a sub-category counts for its parent): counted per
    category without joins (COUNT(*) lets a province read the category index only), then folded
    into the parents here."""
    per_category = dict(cases.values_list("category_id").annotate(n=Count("*")).order_by())
    groups: dict[int, list] = {}
    for c in ProblemCategory.objects.filter(pk__in=list(per_category)).values("pk", "label", "parent_id", "parent__label"):
        key, label = (c["parent_id"], c["parent__label"]) if c["parent_id"] else (c["pk"], c["label"])
        groups.setdefault(key, [label, 0])[1] += per_category[c["pk"]]
    ranked = sorted(groups.items(), key=lambda item: (-item[1][1], item[0]))[:10]
    return {
        "labels": [label for _pk, (label, _n) in ranked],
        "ids": [pk for pk, _ in ranked],
        "data": [n for _pk, (_label, n) in ranked],
        "url": ledger + "?category={category}",
    }


def _root(areas: list[dict]) -> Region | None:
    """The region whose cities or counties `areas` are (a user who sees everything has no region
    of their own): the parent of the first."""
    return Region.objects.filter(pk=Region.objects.filter(pk=areas[0]["pk"]).values("parent_id")[:1]).first()


def _coverage(user, county, root, towns, areas, level, ledger) -> dict | None:
    """This year's inspection coverage: by town for a county (or narrower), by the cities or
    counties below a province's or a city's dashboard (their bars open that area's dashboard)."""
    today = timezone.localdate()
    start = date(today.year, 1, 1)
    if areas:
        figures = provider_figures("inspections", root, start, today, level=level) if root is not None else None
        units = areas
        url = reverse("reporting:dashboard") + "?region={region}"
    else:
        scope = user.region if user.region_id and user.region.level >= RegionLevel.COUNTY else county
        figures = provider_figures("inspections", scope, start, today) if scope is not None else None
        if figures is not None and towns is None:  # the area charts did not need the towns
            towns = list(Region.objects.visible_to(user).filter(level=RegionLevel.TOWN, pk__in=list(figures))
                         .order_by("code").values("pk", "code", "name"))
        units = towns or []
        url = figure_get("estates_inspected").drill.url(start=start, end=today) + "&town={town}"
    if figures is None:
        return None
    rate = rate_get("coverage_rate")
    zero = {"estates_managed": 0, "estates_inspected": 0, "estates_unmanaged": 0, "estates_unmanaged_inspected": 0}
    rows = [(unit, {**zero, **figures[unit["pk"]]}) for unit in units
            if any(figures.get(unit["pk"], {}).get(key) for key in ("estates_managed", "estates_unmanaged"))]
    return {
        "towns": [unit["name"] for unit, _ in rows], "town_ids": [unit["pk"] for unit, _ in rows],
        "codes": [unit.get("code") for unit, _ in rows],
        "managed": [f["estates_managed"] for _, f in rows],
        "inspected": [f["estates_inspected"] for _, f in rows],
        # the registry's 排查覆盖率: managed estates only, never capped, "—" (null) with none managed
        "rates": [float(v) if (v := rate.value(f)) is not None else None for _, f in rows],
        "unmanaged": [f["estates_unmanaged"] for _, f in rows],
        "unmanaged_inspected": [f["estates_unmanaged_inspected"] for _, f in rows],
        "start": start.isoformat(), "end": today.isoformat(),
        "year": today.year, "url": url, "level": LEVEL_LABELS[level] if areas else LEVEL_LABELS[RegionLevel.TOWN],
    }


def _submission(user, county, root, areas, level) -> dict | None:
    """This month's town and community reports: a pie for a county (its own units; a town
    officer's, the town's); for a province's or a city's dashboard a stacked bar per city or
    county (which one lags), each bar opening that area's dashboard."""
    period = periods.period_containing("month", timezone.localdate())
    if areas and root is not None:
        per_county, due = unit_status_tally(within=root, period=period)
        by_area = {a["path"]: dict.fromkeys(TALLY_KEYS, 0) for a in areas}
        for county_path, tally in per_county.items():
            area = next((p for p in by_area if county_path.startswith(p)), None)
            if area is not None:
                for key, n in tally.items():
                    by_area[area][key] += n
    elif not areas and county is not None:
        within = user.region if user.region_id and user.region.level > RegionLevel.COUNTY else county
        per_county, due = unit_status_tally(within=within, county=county, period=period)
        by_area = {}
    else:
        return None
    total = {k: sum(t[k] for t in per_county.values()) for k in TALLY_KEYS}
    if not any(total.values()):
        return None
    submission = {
        "period": period.key, "due": due.isoformat() if due else "",
        "items": [{"name": k, "value": n} for k, n in total.items() if n],
        "url": reverse("reporting:review") + f"?period={period.key}",
    }
    if not by_area:
        return submission
    shown = [a for a in areas if any(by_area[a["path"]].values())]
    keys = [k for k in TALLY_KEYS if total[k]]
    return {
        **submission, "level": LEVEL_LABELS[level],
        "areas": [a["name"] for a in shown], "codes": [a["code"] for a in shown],
        "series": [{"name": k, "data": [by_area[a["path"]][k] for a in shown]} for k in keys],
        "url": reverse("reporting:dashboard") + "?region={region}",
    }


def _rates(user, county, within) -> dict | None:
    """The plans' rates (办结率, 按时办结率, 满意率, 排查覆盖率, …) of the registry since the start of
    the year, by town for a county or a town (and the county's own row), by county for a city.
    Each rate with its numerator and denominator; each count opens its list. A province-wide
    scope has its cities' dashboards for that."""
    if not can(user, "report.county_figures"):
        return None  # discipline inspection sees only corruption clues: the rates are not its figures
    scope = within or (user.region if user.region_id else None) or county
    if scope is None or scope.level < RegionLevel.CITY:
        return None
    today = timezone.localdate()
    start = date(today.year, 1, 1)
    below = RegionLevel.COUNTY if scope.level == RegionLevel.CITY else RegionLevel.TOWN
    if scope.level >= RegionLevel.TOWN:
        below = scope.level
    units = collect(scope, start, today, level=below)
    # the scope's own row is the sum of its units' (reporting.identities: county = Σ towns)
    total = {key: sum(values.get(key, 0) or 0 for values in units.values())
             for key in {key for values in units.values() for key in values}}
    own = units if below == scope.level else {scope.pk: total}
    regions = {r.pk: r for r in Region.objects.filter(pk__in=[*units, scope.pk]).order_by("code")}
    rates = rate_list()
    shown = [rate for rate in rates if any(rate.parts(values)[1] for values in own.values())] or rates

    def row(region, values):
        cells = []
        for rate in shown:
            part, whole = rate.parts(values)
            links = [_drill_url(key, start, today, region) for key in (rate.numerator, rate.denominator)]
            cells.append({"text": rate.text(values), "numerator": part, "denominator": whole,
                          "numerator_url": links[0], "denominator_url": links[1]})
        return {"name": region.name, "cells": cells}

    rows = [row(regions[pk], units[pk]) for pk in sorted(units, key=lambda pk: regions[pk].code) if pk in regions]
    if below != scope.level:
        rows.append({**row(scope, own.get(scope.pk, {})), "is_total": True})
    return {"since": start.isoformat(), "to": today.isoformat(), "rows": rows,
            "rates": [{"label": r.label, "definition": r.definition} for r in shown]}


def _coverage_targets(user, county, within) -> dict | None:
    """业委会、物业管理、党组织覆盖率 of each town (or community) against the plans' targets, each
    with the count and list of what is not yet covered (reporting.providers_subjects)."""
    if not can(user, "report.county_figures"):
        return None
    scope = within or (user.region if user.region_id else None) or county
    if scope is None:
        return None
    return coverage_against_targets(scope, today=timezone.localdate())


def _drill_url(keys: tuple[str, ...], start: date, end: date, region: Region) -> str:
    """The list of a one-figure side of a rate (a sum of several figures has no single list)."""
    if len(keys) != 1:
        return ""
    figure = figure_get(keys[0])
    if figure is None or figure.drill is None or region.level < RegionLevel.COUNTY:
        return ""
    return figure.drill.url(start=start, end=end, unit=region)


def dashboard_data(*, user, county: Region | None, within: Region | None = None) -> dict:
    """`within` narrows a province's or a city's dashboard to one city or county inside its
    scope (the bars of the area charts link there)."""
    ledger = reverse("rectification:case-list")
    cases = Case.objects.visible_to(user)
    if within is not None:
        cases = cases.filter(region_path__startswith=within.path)
    scope = within if within is not None else (None if user.sees_everything else user.region)
    level = RegionLevel.CITY if scope is None else scope.level + 1

    towns = None
    areas = []
    if level <= RegionLevel.COUNTY:
        areas = Region.objects.visible_to(user).filter(level=level)
        if scope is not None:
            areas = areas.filter(path__startswith=scope.path)
        areas = list(areas.order_by("code").values("pk", "code", "name", "path"))
    if areas:
        counts, town_state, overdue = _by_area(cases, areas, level, ledger)
        overdue_total = overdue.pop("total")
    else:
        towns, counts, town_state, overdue = _by_town(user, cases, within, ledger)
        overdue_total = sum(overdue["data"])

    trend = _trend(cases, _summary_prefix(user, within), ledger)

    categories = _categories(cases, ledger)

    estates = _estates(cases, ledger)

    root = (scope or _root(areas)) if areas else None  # the province's or city's region
    coverage = _coverage(user, county, root, towns, areas, level, ledger)

    submission = _submission(user, county, root, areas, level)

    rates = _rates(user, county, within)

    coverage_targets = _coverage_targets(user, county, within)

    return {
        "town_state": town_state, "overdue": overdue, "trend": trend, "categories": categories,
        "estates": estates, "submission": submission, "coverage": coverage, "rates": rates,
        "coverage_targets": coverage_targets,
        "scope": {"code": within.code, "name": within.full_name} if within is not None else None,
        "totals_urls": {
            "cases": ledger, "open": ledger + "?state_in=" + ",".join(OPEN_STATES), "overdue": ledger + "?overdue=true",
        },
        "totals": {
            "cases": sum(counts.values()),
            "open": sum(n for (_t, s), n in counts.items() if s in OPEN_STATES),
            "overdue": overdue_total,
        },
    }
