import django_filters
from django import forms
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .models import Estate, ManagementType, OwnersBodyStatus, Region, RegionLevel


def is_wide(user) -> bool:
    """Province- and city-wide users: their towns and communities number in the thousands."""
    return bool(user.sees_everything or (user.region_id and user.region.level < RegionLevel.COUNTY))


def scoped_counties(request):
    """The counties the user may see (the county choice of province- and city-wide users)."""
    if request is None:
        return Region.objects.none()
    return Region.objects.visible_to(request.user).filter(level=RegionLevel.COUNTY).select_related("parent")


def scoped_towns(request):
    """The towns the user may see: the town choice of every scoped filter. A province- or
    city-wide user picks the county first (a province has 1,100 towns); a town already in the
    link (?town=<id>) stays valid without it."""
    if request is None:
        return Region.objects.none()
    towns = Region.objects.visible_to(request.user).filter(level=RegionLevel.TOWN)
    if not is_wide(request.user):
        return towns
    county, chosen = request.GET.get("county", ""), request.GET.get("town", "")
    if county.isdigit():
        return towns.filter(parent_id=county)
    return towns.filter(pk=chosen) if chosen.isdigit() else towns.none()


def scoped_communities(request):
    """The communities of the chosen town; without one, all the user's communities only when that
    is a county's short list (a city or province holds thousands: choose the town first)."""
    if request is None:
        return Region.objects.none()
    communities = Region.objects.visible_to(request.user).filter(level=RegionLevel.COMMUNITY)
    town, chosen = request.GET.get("town", ""), request.GET.get("community", "")
    if town.isdigit():
        return communities.filter(parent_id=town)
    if is_wide(request.user):
        return communities.filter(pk=chosen) if chosen.isdigit() else communities.none()
    return communities


class CountyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # 城区 is a county of four cities of 山西: the city tells them apart
        return f"{obj.parent.name} · {obj.name}" if obj.parent_id else obj.name


@extend_schema_field(OpenApiTypes.INT)  # the county's id (the API schema cannot guess it from the method)
class CountyChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = CountyChoiceField


class RegionFilterSet(django_filters.FilterSet):
    """Base of the scoped lists' filters: province- and city-wide users choose the county, then
    its towns, then their communities (scoped_towns, scoped_communities); the county choice is not
    shown to a county's own users. Filters on the model's region path (ScopedQuerySet)."""

    county = CountyChoiceFilter(label="县（市、区）", queryset=scoped_counties, method="filter_county", empty_label="全部")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.request is None or not is_wide(self.request.user):
            self.filters.pop("county", None)

    def filter_county(self, queryset, name, value):
        return queryset.filter(**{f"{queryset.region_path_lookup}__startswith": value.path})


#: the owners' body statuses that count as covered by a 业委会 or 物管会 (盘锦 95 % target)
COMMITTEE_STATUSES = (OwnersBodyStatus.COMMITTEE, OwnersBodyStatus.MANAGEMENT_COMMITTEE)

#: the visit kinds that count for coverage (inspections.models.COVERAGE_KINDS, by value)
COVERAGE_VISIT_KINDS = ("inspection", "spot_check")


class EstateFilter(RegionFilterSet):
    q = django_filters.CharFilter(label="小区名称/地址", method="filter_q")
    town = django_filters.ModelChoiceFilter(
        label="镇/街道", queryset=scoped_towns, field_name="community__parent", empty_label="全部"
    )
    community = django_filters.ModelChoiceFilter(label="社区", queryset=scoped_communities, empty_label="全部")
    # a province serves 4,000 enterprises: typed, not a dropdown (the id stays for links)
    enterprise_name = django_filters.CharFilter(label="物业服务企业", field_name="enterprise__name", lookup_expr="icontains")
    enterprise = django_filters.NumberFilter(label="物业服务企业", field_name="enterprise_id", widget=forms.HiddenInput)
    management_type = django_filters.ChoiceFilter(label="管理方式", choices=ManagementType.choices, empty_label="全部")
    owners_body_status = django_filters.ChoiceFilter(
        label="业主组织", choices=OwnersBodyStatus.choices, empty_label="全部"
    )
    has_party_organisation = django_filters.BooleanFilter(
        label="业委会（物管会）党组织", widget=forms.Select(choices=[("", "全部"), ("true", "已建立"), ("false", "未建立")])
    )
    has_elevator = django_filters.BooleanFilter(
        label="有电梯", method="filter_has_elevator",
        widget=forms.Select(choices=[("", "全部"), ("true", "有"), ("false", "无")]),
    )

    # the lists of the coverage figures (reporting.figures): managed estates, and those visited
    # (a submitted 排查 or 四不两直 visit) in a window; hidden on the page
    managed = django_filters.BooleanFilter(label="物业管理小区", method="filter_managed", widget=forms.HiddenInput)
    covered_from = django_filters.DateFilter(label="已排查自", method="filter_covered", widget=forms.HiddenInput)
    covered_to = django_filters.DateFilter(label="已排查至", method="filter_covered", widget=forms.HiddenInput)
    # the lists of the committee coverage figures: estates with (or without) a 业委会 or 物管会
    owners_body_covered = django_filters.BooleanFilter(
        label="已成立业委会（物管会）", method="filter_owners_body_covered", widget=forms.HiddenInput
    )

    class Meta:
        model = Estate
        fields = ["q", "county", "town", "community", "enterprise_name", "enterprise", "management_type", "owners_body_status",
                  "managed", "covered_from", "covered_to", "owners_body_covered"]

    def filter_managed(self, queryset, name, value):
        unmanaged = queryset.filter(management_type=ManagementType.NONE)
        return queryset.exclude(management_type=ManagementType.NONE) if value else unmanaged

    def filter_covered(self, queryset, name, value):
        # both ends at once (the visits' relation by its name: communities does not import inspections)
        data = self.form.cleaned_data
        window = {"inspection_visits__status": "submitted", "inspection_visits__kind__in": COVERAGE_VISIT_KINDS}
        if data.get("covered_from"):
            window["inspection_visits__visited_on__gte"] = data["covered_from"]
        if data.get("covered_to"):
            window["inspection_visits__visited_on__lte"] = data["covered_to"]
        if name == "covered_to" and data.get("covered_from"):
            return queryset  # applied with covered_from
        return queryset.filter(pk__in=Estate.objects.filter(**window).values("pk"))

    def filter_owners_body_covered(self, queryset, name, value):
        covered = Q(owners_body_status__in=COMMITTEE_STATUSES)
        return queryset.filter(covered) if value else queryset.exclude(covered)

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(address__icontains=value))

    def filter_has_elevator(self, queryset, name, value):
        return queryset.filter(elevator_count__gt=0) if value else queryset.filter(elevator_count=0)
