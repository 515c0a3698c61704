"""The plans' coverage rates (reporting.providers_subjects) of each unit against the targets stored
per region (subjects.CoverageTarget; a region without its own takes the nearest one above it), with
the count and list of what is not yet covered: the dashboard's table and the workbook's 覆盖率目标.
Reads the registry only (figures load in their registration order)."""

from datetime import date
from decimal import Decimal

from communities.models import Region, RegionLevel
from communities.regions import ancestors
from subjects.models import CoverageFigure, CoverageTarget

from .figures import figure_get, provider_figures, rate_get

#: rate → the figure that counts what is not yet covered (its list is the work to do)
MISSING = {
    CoverageFigure.COMMITTEE.value: "cov_committee_missing",
    CoverageFigure.MANAGEMENT.value: "estates_unmanaged",
    CoverageFigure.PARTY_OF_COMMITTEES.value: "cov_party_missing_committees",
    CoverageFigure.PARTY_OF_ESTATES.value: "cov_party_missing_estates",
}


def targets_for(regions: list[Region]) -> dict[int, dict[str, CoverageTarget]]:
    """Each region's target per figure: its own, else that of the nearest region above it. One query."""
    paths = {p for region in regions for p in ancestors(region.path)}
    by_path: dict[str, dict[str, CoverageTarget]] = {}
    for target in CoverageTarget.objects.filter(region__path__in=paths).select_related("region"):
        by_path.setdefault(target.region.path, {})[target.figure] = target
    result = {}
    for region in regions:
        found: dict[str, CoverageTarget] = {}
        for path in ancestors(region.path):  # top first: the nearest overrides
            found.update(by_path.get(path, {}))
        result[region.pk] = found
    return result


def coverage_against_targets(scope: Region, *, today: date, links: bool = True) -> dict | None:
    """The coverage rates of each town of a county (or the communities of a town) and of the scope
    itself, each with its target, whether it is met, and the count and list of what is not yet
    covered (with `links`, the URL of that list). For the dashboard and the workbook."""
    if scope.level not in (RegionLevel.COUNTY, RegionLevel.TOWN):
        return None
    below = scope.level + 1
    # this provider and the inspections' (物业管理小区数) only: the coverage needs no other figure
    units: dict[int, dict] = {pk: {} for pk in Region.objects.filter(path__startswith=scope.path, level=below)
                              .values_list("pk", flat=True)}
    for name in ("subjects", "inspections"):
        for pk, values in (provider_figures(name, scope, today, today, level=below) or {}).items():
            if pk in units:
                units[pk].update(values)
    total = {key: sum(values.get(key, 0) or 0 for values in units.values())
             for key in {key for values in units.values() for key in values}}
    regions = {r.pk: r for r in Region.objects.filter(pk__in=[*units, scope.pk])}
    ordered = [regions[pk] for pk in sorted(units, key=lambda pk: regions[pk].code) if pk in regions]
    targets = targets_for([*ordered, scope])
    rates = [rate_get(key) for key in MISSING]

    def row(region: Region, values: dict, is_total: bool = False) -> dict:
        cells = []
        for rate in rates:
            value = rate.value(values)
            target = targets[region.pk].get(rate.key)
            missing_key = MISSING[rate.key]
            figure = figure_get(missing_key)
            cells.append({
                "label": rate.label, "text": rate.text(values), "value": value,
                "target": target.percent if target else None,
                "plan": target.get_plan_display() if target else "",
                "met": None if value is None or target is None else value >= Decimal(target.percent),
                "missing": values.get(missing_key, 0) or 0,
                "missing_url": (figure.drill.url(start=today, end=today, unit=region)
                                if links and figure and figure.drill else ""),
            })
        return {"name": region.name, "region_id": region.pk, "cells": cells, "is_total": is_total}

    rows = [row(region, units[region.pk]) for region in ordered]
    rows.append(row(scope, total, is_total=True))
    return {"rates": [{"key": r.key, "label": r.label, "definition": r.definition} for r in rates], "rows": rows,
            "as_of": today.isoformat()}


def coverage_sheet_rows(scope: Region, *, today: date) -> tuple[list[str], list[list]]:
    """The workbook's 覆盖率目标 sheet: one line per unit and rate."""
    # no links: a sheet shows none, and the first reverse() of a process loads every URLconf (≈ 1 s)
    table = coverage_against_targets(scope, today=today, links=False)
    headers = ["单位", "指标", "覆盖率", "目标", "出自方案", "是否达标", "未覆盖数"]
    rows = []
    if table is None:
        return headers, rows
    for unit in table["rows"]:
        for rate, cell in zip(table["rates"], unit["cells"], strict=True):
            met = "—" if cell["met"] is None else ("达标" if cell["met"] else "未达标")
            rows.append([("合计：" if unit["is_total"] else "") + unit["name"], rate["label"], cell["text"],
                         f"{cell['target']}%" if cell["target"] is not None else "未设定", cell["plan"], met,
                         cell["missing"]])
    return headers, rows
