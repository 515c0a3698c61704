import django_filters
from django import forms

from .models import Estate, ManagementType, OwnersBodyStatus, Region, RegionLevel


def scoped_towns(request):
    """The towns the user may see: the town choice of every scoped filter."""
    if request is None:
        return Region.objects.none()
    return Region.objects.visible_to(request.user).filter(level=RegionLevel.TOWN)


def scoped_communities(request):
    """The communities of the chosen town; without one, all the user's communities only when that
    is a county's short list (a city or province holds thousands: choose the town first)."""
    if request is None:
        return Region.objects.none()
    communities = Region.objects.visible_to(request.user).filter(level=RegionLevel.COMMUNITY)
    town, chosen = request.GET.get("town", ""), request.GET.get("community", "")
    if town.isdigit():
        return communities.filter(parent_id=town)
    user = request.user
    if user.sees_everything or (user.region_id and user.region.level < RegionLevel.COUNTY):
        return communities.filter(pk=chosen) if chosen.isdigit() else communities.none()
    return communities


class EstateFilter(django_filters.FilterSet):
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
        label="小区党组织", widget=forms.Select(choices=[("", "全部"), ("true", "已建立"), ("false", "未建立")])
    )
    has_elevator = django_filters.BooleanFilter(
        label="有电梯", method="filter_has_elevator",
        widget=forms.Select(choices=[("", "全部"), ("true", "有"), ("false", "无")]),
    )

    class Meta:
        model = Estate
        fields = ["q", "town", "community", "enterprise_name", "enterprise", "management_type", "owners_body_status"]

    def filter_q(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(name__icontains=value) | Q(address__icontains=value))

    def filter_has_elevator(self, queryset, name, value):
        return queryset.filter(elevator_count__gt=0) if value else queryset.filter(elevator_count=0)
