"""Disclosure periods: calendar-aligned blocks of 1, 3, 6 or 12 months, and the rule (period,
deadline, enterprise share cap) they follow; selectors.rule_for_estate finds an estate's rule."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

DEFAULT_PERIOD_MONTHS = 3
DEFAULT_DEADLINE_DAYS = 15
DEFAULT_SHARE_CAP_PERCENT = Decimal("30.00")


@dataclass(frozen=True)
class Rule:
    period_months: int = DEFAULT_PERIOD_MONTHS
    deadline_days: int = DEFAULT_DEADLINE_DAYS
    share_cap_percent: Decimal = DEFAULT_SHARE_CAP_PERCENT


def _month_end(year: int, month: int) -> date:
    if month == 12:
        return date(year, 12, 31)
    return date(year, month + 1, 1) - timedelta(days=1)


def period_containing(day: date, months: int) -> tuple[date, date]:
    first_month = ((day.month - 1) // months) * months + 1
    start = date(day.year, first_month, 1)
    return start, _month_end(day.year, first_month + months - 1)


def is_period_start(day: date, months: int) -> bool:
    return day.day == 1 and (day.month - 1) % months == 0


def previous_period(start: date, months: int) -> tuple[date, date]:
    return period_containing(start - timedelta(days=1), months)


def last_complete_period(today: date, months: int) -> tuple[date, date]:
    start, _end = period_containing(today, months)
    return previous_period(start, months)


def recent_complete_periods(today: date, months: int, count: int = 8) -> list[tuple[date, date]]:
    periods = []
    start, end = last_complete_period(today, months)
    for _ in range(count):
        periods.append((start, end))
        start, end = previous_period(start, months)
    return periods


def period_label(start: date, end: date) -> str:
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if months == 12:
        return f"{start.year}年度"
    if months == 6:
        return f"{start.year}年{'上' if start.month == 1 else '下'}半年"
    if months == 3:
        return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
    if months == 1:
        return f"{start.year}年{start.month}月"
    return f"{start:%Y-%m-%d}至{end:%Y-%m-%d}"


def period_key(start: date, end: date) -> str:
    return f"{start:%Y%m%d}-{end:%Y%m%d}"


def deadline_for(end: date, rule: Rule) -> date:
    return end + timedelta(days=rule.deadline_days)
