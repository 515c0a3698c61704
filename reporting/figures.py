"""The seam through which each app contributes its monthly figures.

A provider is `provider(region, period_start, period_end, *, level) -> {unit_id: {figure: number}}`:
for the units of `level` (town or community) inside `region`, the figures of the period, computed
with aggregate queries (never by looping over rows). Each provider declares its figures (key,
Chinese label, column group) when it registers; the unit report, the statistics sheet and the
dashboard show the figures of the providers registered, in registration order.

Registered: the rectification ledger, complaint channels and satisfaction, inspection coverage,
public revenue (reporting.providers_<app>, see PROVIDER_MODULES). Another app adds a module there.

This is the one registry of every figure the product states: each Figure carries its Chinese
name, a one-sentence definition, its period rule and the list (with its filters) that makes it;
each Rate names its numerator and denominator figures. The workbook's 统计表 and 说明, the unit
reports, the dashboard and the home pages read figures from here only; reporting.identities states
what must hold between them."""

import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib import import_module, reload
from urllib.parse import urlencode

from django.urls import reverse

from communities.models import Region, RegionLevel

Provider = Callable[..., dict[int, dict[str, int | float]]]

#: modules that register providers when imported; later apps add theirs. Every one is required: a
#: module that fails to import raises, rather than reports that quietly lack its figures.
PROVIDER_MODULES = [
    "reporting.providers_rectification",
    "reporting.providers_complaints",
    "reporting.providers_inspections",
    "reporting.providers_public_revenue",
    "reporting.providers_subjects",
]


#: period rules: what of the period a figure counts
IN_PERIOD = "报告期内发生数"
AT_PERIOD_END = "截至期末"
AT_BUILD = "截至数据生成时"


@dataclass(frozen=True)
class Drill:
    """The list that makes a figure: the page (URL name) and the API path taking the same filters,
    with the filter values as templates over {start}, {end} (ISO dates) and {unit} (the unit's id,
    given as `unit_param`: town, or county for a county-wide figure)."""

    page: str
    api: str
    params: tuple[tuple[str, str], ...] = ()
    town_param: str = "town"

    def query(self, *, start: date, end: date, unit: Region | None = None) -> dict[str, str]:
        values = {key: template.format(start=start.isoformat(), end=end.isoformat()) for key, template in self.params}
        if unit is not None and unit.level == RegionLevel.TOWN:
            values[self.town_param] = str(unit.pk)
        elif unit is not None and unit.level == RegionLevel.COUNTY:
            values["county"] = str(unit.pk)
        elif unit is not None and unit.level == RegionLevel.COMMUNITY:
            values["community"] = str(unit.pk)
        return values

    def url(self, *, start: date, end: date, unit: Region | None = None) -> str:
        return reverse(self.page) + "?" + urlencode(self.query(start=start, end=end, unit=unit))


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    group: str = "总体情况"
    definition: str = ""
    period: str = IN_PERIOD
    drill: Drill | None = None


@dataclass(frozen=True)
class Rate:
    """A rate of two sums of registered figures (numerator over denominator), never above 100 %;
    with an empty denominator there is no rate ("—")."""

    key: str
    label: str
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]
    definition: str
    group: str = "办理成效"
    period: str = AT_PERIOD_END

    def parts(self, values: dict) -> tuple[int, int]:
        return (sum(values.get(k, 0) or 0 for k in self.numerator),
                sum(values.get(k, 0) or 0 for k in self.denominator))

    def value(self, values: dict) -> Decimal | None:
        """The rate in percent, one decimal, or None when the denominator is empty."""
        part, whole = self.parts(values)
        if not whole:
            return None
        return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"))

    def text(self, values: dict) -> str:
        value = self.value(values)
        return "—" if value is None else f"{value}%"


@dataclass(frozen=True)
class Registration:
    name: str
    provider: Provider
    figures: tuple[Figure, ...]
    rates: tuple[Rate, ...] = ()


_registry: dict[str, Registration] = {}


def register(name: str, figures: list[Figure], rates: list[Rate] | tuple = ()):
    """Decorator: `@register("rectification", [Figure(...), ...], rates=[Rate(...)])`."""

    def decorator(provider: Provider) -> Provider:
        _registry[name] = Registration(name, provider, tuple(figures), tuple(rates))
        return provider

    return decorator


def _load() -> None:
    """Imports the provider modules whose providers are not registered (a module imported before,
    whose registration a test removed, is reloaded so that it registers again). Each module must
    define and register its provider itself."""
    registered = {registration.provider.__module__ for registration in _registry.values()}
    for module in PROVIDER_MODULES:
        if module in registered:
            continue
        if module in sys.modules:
            reload(sys.modules[module])
        else:
            import_module(module)


def registrations() -> list[Registration]:
    _load()
    return list(_registry.values())


def figure_list() -> list[Figure]:
    return [figure for registration in registrations() for figure in registration.figures]


def rate_list() -> list[Rate]:
    return [rate for registration in registrations() for rate in registration.rates]


def rate_get(key: str) -> Rate | None:
    return next((r for r in rate_list() if r.key == key), None)


def figure_get(key: str) -> Figure | None:
    return next((f for f in figure_list() if f.key == key), None)


def definitions() -> list[tuple[str, str, str]]:
    """(name, period rule, definition) of every figure and rate, for the workbook's 说明 and the
    help of the pages."""
    rows = [(f.label, f.period, f.definition) for f in figure_list()]
    rows += [(r.label, r.period, r.definition) for r in rate_list()]
    return rows


def figure_labels() -> dict[str, str]:
    return {f.key: f.label for f in figure_list()}


def collect(region: Region, period_start: date, period_end: date, *, level: int = RegionLevel.TOWN) -> dict[int, dict]:
    """Every registered figure for every unit of `level` inside `region` (units with no data get 0)."""
    figures = figure_list()
    units = Region.objects.filter(path__startswith=region.path, level=level).values_list("pk", flat=True)
    result = {unit_id: {f.key: 0 for f in figures} for unit_id in units}
    for registration in registrations():
        for unit_id, values in registration.provider(region, period_start, period_end, level=level).items():
            if unit_id in result:
                result[unit_id].update(values)
    return result


def unit_figures(unit: Region, period_start: date, period_end: date) -> dict:
    """The figures of one town or community (its own report)."""
    return collect(unit, period_start, period_end, level=unit.level).get(unit.pk, {f.key: 0 for f in figure_list()})


def provider_figures(name: str, region: Region, period_start: date, period_end: date, *,
                     level: int = RegionLevel.TOWN) -> dict[int, dict] | None:
    """One provider's figures only (the dashboard's single-purpose charts); None if not registered."""
    _load()
    registration = _registry.get(name)
    if registration is None:
        return None
    return registration.provider(region, period_start, period_end, level=level)


def to_json(values: dict) -> dict:
    """Figures as JSON for a frozen snapshot: money (Decimal) is kept exact as a string."""
    return {key: str(value) if isinstance(value, Decimal) else value for key, value in values.items()}


def from_json(value):
    """A snapshot value back as a number (a string is an exact Decimal amount)."""
    if isinstance(value, str):
        try:
            return Decimal(value)
        except ArithmeticError:
            return 0
    return value
