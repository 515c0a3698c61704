"""The seam through which each app contributes its monthly figures.

A provider is `provider(region, period_start, period_end, *, level) -> {unit_id: {figure: number}}`:
for the units of `level` (town or community) inside `region`, the figures of the period, computed
with aggregate queries (never by looping over rows). Each provider declares its figures (key,
Chinese label, column group) when it registers; the unit report, the statistics sheet and the
dashboard show the figures of the providers registered, in registration order.

Registered: the rectification ledger, complaint channels and satisfaction, inspection coverage
(reporting.providers_<app>, see PROVIDER_MODULES). Another app adds a module there."""

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib import import_module, reload

from communities.models import Region, RegionLevel

logger = logging.getLogger(__name__)

Provider = Callable[..., dict[int, dict[str, int | float]]]

#: modules that register providers when imported; later apps add theirs. The first is required;
#: the others read apps still being built, so a broken import is logged and its figures left out
#: instead of taking the reports down with it.
PROVIDER_MODULES = [
    "reporting.providers_rectification",
    "reporting.providers_complaints",
    "reporting.providers_inspections",
    "public_revenue.report_figures",
]


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    group: str = "总体情况"


@dataclass(frozen=True)
class Registration:
    name: str
    provider: Provider
    figures: tuple[Figure, ...]


_registry: dict[str, Registration] = {}
_failed: set[str] = set()


def register(name: str, figures: list[Figure]):
    """Decorator: `@register("rectification", [Figure(...), ...])`."""

    def decorator(provider: Provider) -> Provider:
        _registry[name] = Registration(name, provider, tuple(figures))
        return provider

    return decorator


def _load() -> None:
    """Imports the provider modules whose providers are not registered (a module imported before,
    whose registration a test removed, is reloaded so that it registers again). Each module must
    define and register its provider itself; a module that fails to import is not tried again."""
    registered = {registration.provider.__module__ for registration in _registry.values()}
    for index, module in enumerate(PROVIDER_MODULES):
        if module in registered or module in _failed:
            continue
        try:
            if module in sys.modules:
                reload(sys.modules[module])
            else:
                import_module(module)
        except Exception:
            if index == 0:
                raise
            _failed.add(module)
            logger.exception("figure provider %s could not be loaded; its figures are left out", module)


def registrations() -> list[Registration]:
    _load()
    return list(_registry.values())


def figure_list() -> list[Figure]:
    return [figure for registration in registrations() for figure in registration.figures]


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
