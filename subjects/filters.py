import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from communities.filters import RegionFilterSet, scoped_communities, scoped_towns

from .models import CommitteeKind, Developer, OwnersCommittee


@extend_schema_field(OpenApiTypes.INT)  # the town's id (the API schema cannot guess it from the method)
class TownFilter(django_filters.ModelChoiceFilter):
    pass


YES_NO = [("", "全部"), ("true", "是"), ("false", "否")]


class DeveloperFilter(RegionFilterSet):
    q = django_filters.CharFilter(label="名称/信用代码", method="filter_q")
    town = TownFilter(label="镇/街道", queryset=scoped_towns, method="filter_town", empty_label="全部")

    class Meta:
        model = Developer
        fields = ["q", "county", "town"]

    def filter_county(self, queryset, name, value):
        return self.filter_town(queryset, name, value)

    def filter_town(self, queryset, name, value):
        # registered there, or building an estate there
        return queryset.filter(Q(region__path__startswith=value.path)
                               | Q(projects__estates__community__path__startswith=value.path)).distinct()

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(credit_code__icontains=value))


class CommitteeFilter(RegionFilterSet):
    """The current committees (the figures' lists: by region, and with or without a party organisation)."""

    q = django_filters.CharFilter(label="小区名称", field_name="estate__name", lookup_expr="icontains")
    town = django_filters.ModelChoiceFilter(label="镇/街道", queryset=scoped_towns, field_name="estate__community__parent",
                                            empty_label="全部")
    community = django_filters.ModelChoiceFilter(label="社区", queryset=scoped_communities, field_name="estate__community",
                                                 empty_label="全部")
    kind = django_filters.ChoiceFilter(label="类型", choices=CommitteeKind.choices, empty_label="全部")
    party = django_filters.BooleanFilter(label="已建立党组织", field_name="has_party_organisation",
                                         widget=forms.Select(choices=YES_NO))
    renewal = django_filters.ChoiceFilter(label="换届", method="filter_renewal", empty_label="全部",
                                          choices=[("overdue", "任期已届满"), ("due", "90日内届满")])

    class Meta:
        model = OwnersCommittee
        fields = ["q", "county", "town", "community", "kind", "party", "renewal"]

    def filter_renewal(self, queryset, name, value):
        today = timezone.localdate()
        if value == "overdue":
            return queryset.renewal_overdue(today=today)
        return queryset.renewal_due(today=today, days=90)
