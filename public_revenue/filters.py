import django_filters
from django import forms
from django.db.models import F, Q

from communities.filters import RegionFilterSet, scoped_towns
from communities.models import Estate

from .models import Direction, Disclosure, RevenueAccount, RevenueEntry, RevenueSource

YES_NO = [("", "全部"), ("true", "是"), ("false", "否")]


class EstateRevenueFilter(RegionFilterSet):
    q = django_filters.CharFilter(label="小区名称", field_name="name", lookup_expr="icontains")
    town = django_filters.ModelChoiceFilter(
        label="镇/街道", queryset=scoped_towns, field_name="community__parent", empty_label="全部"
    )
    account = django_filters.ChoiceFilter(
        label="专门账户",
        method="filter_account",
        empty_label="全部",
        choices=[("yes", "已开设"), ("no", "未开设"), ("unknown", "未登记")],
    )

    class Meta:
        model = Estate
        fields = ["q", "county", "town", "account"]

    def filter_account(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(revenue_account__has_account=True)
        if value == "no":
            return queryset.filter(revenue_account__has_account=False)
        return queryset.filter(revenue_account__isnull=True)


class _EstateScoped(RegionFilterSet):
    estate = django_filters.NumberFilter(label="小区ID", field_name="estate_id")
    town = django_filters.ModelChoiceFilter(
        label="镇/街道", queryset=scoped_towns, field_name="estate__community__parent", empty_label="全部"
    )


class AccountFilter(_EstateScoped):
    class Meta:
        model = RevenueAccount
        fields = ["estate", "county", "town", "has_account", "holder"]


class SourceFilter(_EstateScoped):
    class Meta:
        model = RevenueSource
        fields = ["estate", "county", "town", "kind", "approval", "is_active"]


class EntryFilter(_EstateScoped):
    direction = django_filters.ChoiceFilter(label="收支", choices=Direction.choices, empty_label="全部")
    kind = django_filters.CharFilter(label="类型（收入或支出类型的值）", method="filter_kind")
    date_from = django_filters.DateFilter(
        label="发生日期起", field_name="occurred_on", lookup_expr="gte", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        label="发生日期止", field_name="occurred_on", lookup_expr="lte", widget=forms.DateInput(attrs={"type": "date"})
    )
    source = django_filters.NumberFilter(label="经营项目ID", field_name="source_id")

    class Meta:
        model = RevenueEntry
        fields = ["estate", "county", "town", "direction", "kind", "date_from", "date_to", "source"]

    def filter_kind(self, queryset, name, value):
        return queryset.filter(Q(income_kind=value) | Q(spending_kind=value))


class DisclosureFilter(_EstateScoped):
    year = django_filters.NumberFilter(label="年度", field_name="period_start", lookup_expr="year")
    reviewed = django_filters.BooleanFilter(
        label="已审阅", method="filter_reviewed", widget=forms.Select(choices=YES_NO)
    )
    late = django_filters.BooleanFilter(label="逾期公示", method="filter_late", widget=forms.Select(choices=YES_NO))

    class Meta:
        model = Disclosure
        fields = ["county", "town", "estate", "year", "reviewed", "late"]

    def filter_reviewed(self, queryset, name, value):
        return queryset.filter(reviewed_at__isnull=not value)

    def filter_late(self, queryset, name, value):
        return queryset.filter(posted_on__gt=F("deadline")) if value else queryset.filter(posted_on__lte=F("deadline"))
