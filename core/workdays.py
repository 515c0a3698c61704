"""Working-day arithmetic over the work calendar (core.models.CalendarDay).

Chinese deadlines ("N 个工作日内") skip weekends and public holidays but count the make-up
working days (调休). Each call reads the calendar exceptions of a bounded date range in one
query, never one query per day."""

from datetime import date, timedelta

from .models import CalendarDay

# A run of n working days never spans more than this many calendar days per working day plus
# the longest holiday block (春节/国庆, 9 days); the window is extended if it ever falls short.
_SLACK_DAYS = 30


def _exceptions(start: date, end: date) -> dict[date, bool]:
    rows = CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list("date", "is_workday")
    return dict(rows)


def _is_workday(day: date, exceptions: dict[date, bool]) -> bool:
    if day in exceptions:
        return exceptions[day]
    return day.weekday() < 5


def is_workday(day: date) -> bool:
    return _is_workday(day, _exceptions(day, day))


def add_working_days(start: date, n: int) -> date:
    """The date n working days after `start` (start itself is not counted; n=0 gives start).
    Negative n counts backwards."""
    if n == 0:
        return start
    step = 1 if n > 0 else -1
    remaining = abs(n)
    span = remaining * 2 + _SLACK_DAYS
    while True:
        low, high = (start, start + timedelta(days=span)) if step > 0 else (start - timedelta(days=span), start)
        exceptions = _exceptions(low, high)
        day, left = start, remaining
        for _ in range(span):
            day += timedelta(days=step)
            if _is_workday(day, exceptions):
                left -= 1
                if left == 0:
                    return day
        span *= 2


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 if end <= start)."""
    if end <= start:
        return 0
    exceptions = _exceptions(start, end)
    day, count = start, 0
    while day < end:
        day += timedelta(days=1)
        count += _is_workday(day, exceptions)
    return count


class WorkCalendar:
    """add_working_days for many start dates at once (an import spanning months): the calendar
    exceptions of [start, end] are read in one query, and further ones (the span doubling each
    time) only if a date runs past the end."""

    def __init__(self, start: date, end: date):
        self.exceptions = _exceptions(start, end)
        self.start, self.end = start, end
        self._memo: dict[tuple[date, int], date] = {}

    def add(self, start: date, n: int) -> date:
        """As add_working_days(start, n), for n >= 0."""
        key = (start, n)
        if key not in self._memo:
            day, left = start, n
            while left > 0:
                day += timedelta(days=1)
                if day > self.end:  # the loaded span doubles, so a few queries cover any run
                    later = max(day + timedelta(days=left * 2 + _SLACK_DAYS), self.end + (self.end - self.start))
                    self.exceptions.update(_exceptions(self.end + timedelta(days=1), later))
                    self.end = later
                if _is_workday(day, self.exceptions):
                    left -= 1
            self._memo[key] = day
        return self._memo[key]
