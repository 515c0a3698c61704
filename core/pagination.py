"""Pagination for the long lists (ledger, complaints, their APIs).

A deep page of a province-wide list (page 1,000 = OFFSET 24,975) used to walk every skipped row
through all the joins and per-row subqueries of the list before throwing it away. `IdsFirstPaginator`
(a deferred join) reads only the page's primary keys at the OFFSET — the ordering index serves that
alone — then fetches those 25 rows with the list's joins and annotations."""

from django.core.paginator import Paginator
from django.db.models.query import ModelIterable, QuerySet
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination as BasePagination

from .counts import large_list_figures


def _ids_first_applies(object_list) -> bool:
    return (
        isinstance(object_list, QuerySet)
        and object_list._iterable_class is ModelIterable
        and not object_list.query.distinct
        and not object_list.query.combinator
        and object_list.query.is_sliced is False
    )


class IdsFirstPaginator(Paginator):
    """Paginator whose page() selects the page's ids, then the rows by id (same order), from the
    row `ids_first_from` on; nearer pages are one plain query (OFFSET of a few hundred is cheap)."""

    ids_first_from = 500

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, *, count=None):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        if count is not None:  # already known (the list's summary counted it): no COUNT(*) again
            self.__dict__["count"] = count

    #: take the count of a huge list from core.counts (cached for minutes; `count_cached_at` says when)
    cache_large_counts = False
    count_cached_at = None

    @cached_property
    def count(self):
        if self.cache_large_counts and isinstance(self.object_list, QuerySet):
            figures = large_list_figures(self.object_list, lambda queryset: {"total": queryset.count()}, key="count")
            self.count_cached_at = figures["cached_at"]
            return figures["total"]
        return super().count

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if bottom < self.ids_first_from or not _ids_first_applies(self.object_list):
            return super().page(number)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        by_id = {obj.pk: obj for obj in self.object_list.order_by().filter(pk__in=ids)}
        return self._get_page([by_id[pk] for pk in ids if pk in by_id], number, self)


class LargeCountPaginator(IdsFirstPaginator):
    cache_large_counts = True


class PageNumberPagination(BasePagination):
    """The API's pages: ids first for deep pages; for a list of more than ~100,000 rows `count` is
    at most ten minutes old and `count_cached_at` says when it was taken (null when exact)."""

    django_paginator_class = LargeCountPaginator
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_page_message = "页码无效。"

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_cached_at"] = self.page.paginator.count_cached_at
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_cached_at"] = {
            "type": "string", "format": "date-time", "nullable": True,
            "description": "数据量很大时 count 为缓存值（至多 10 分钟前）的统计时间；精确计数时为 null。",
        }
        return schema
