"""Reporting periods: a month "2025-06", a quarter "2025-Q2", an ISO week "2025-W23".

Parsing is strict and raises a DomainError with a Chinese message, so bad input from a page, the
API or the command line becomes a 4xx (or a command error), never a 500."""

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from core.errors import DomainError

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$")
WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


class InvalidPeriod(DomainError):
    default_message = "报告期格式不正确，月度应为 YYYY-MM（例如 2025-06）。"


@dataclass(frozen=True)
class Period:
    kind: str  # "month" | "quarter" | "week" (ReportingDuty.PeriodKind values)
    start: date
    end: date  # inclusive
    key: str

    def __str__(self):
        return self.key

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.start.year}年{self.start.month}月"
        if self.kind == "quarter":
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        return f"{self.start.isocalendar()[0]}年第{self.start.isocalendar()[1]}周"

    def previous(self) -> "Period":
        return period_containing(self.kind, self.start - timedelta(days=1))

    def next(self) -> "Period":
        return period_containing(self.kind, self.end + timedelta(days=1))


def last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def clamped_date(year: int, month: int, day: int) -> date:
    """The day of that month, or its last day when the month is shorter (30th in February → 28/29)."""
    return date(year, month, min(day, last_day(year, month)))


def month(year: int, month_: int) -> Period:
    return Period("month", date(year, month_, 1), date(year, month_, last_day(year, month_)), f"{year:04d}-{month_:02d}")


def parse_month(value: str) -> Period:
    match = MONTH_RE.match((value or "").strip())
    if not match:
        raise InvalidPeriod()
    year, month_ = int(match[1]), int(match[2])
    if not 1 <= month_ <= 12 or year < 2000 or year > 2100:
        raise InvalidPeriod(f"报告期“{value}”不存在：月份应在 01–12 之间，例如 2025-06。")
    return month(year, month_)


def parse_period(value: str, kind: str | None = None) -> Period:
    value = (value or "").strip()
    if (kind in (None, "month")) and MONTH_RE.match(value):
        return parse_month(value)
    match = QUARTER_RE.match(value)
    if kind in (None, "quarter") and match:
        year, quarter = int(match[1]), int(match[2])
        start_month = (quarter - 1) * 3 + 1
        return Period(
            "quarter", date(year, start_month, 1), clamped_date(year, start_month + 2, 31), f"{year:04d}-Q{quarter}"
        )
    match = WEEK_RE.match(value)
    if kind in (None, "week") and match:
        try:
            start = date.fromisocalendar(int(match[1]), int(match[2]), 1)
        except ValueError:
            raise InvalidPeriod(f"报告期“{value}”不存在。") from None
        return Period("week", start, start + timedelta(days=6), value)
    raise InvalidPeriod()


def period_containing(kind: str, day: date) -> Period:
    if kind == "month":
        return month(day.year, day.month)
    if kind == "quarter":
        return parse_period(f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}", "quarter")
    iso = day.isocalendar()
    return parse_period(f"{iso[0]:04d}-W{iso[1]:02d}", "week")
