import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q

from communities.filters import RegionFilterSet, scoped_communities, scoped_towns

from .models import InspectionRound, LineResult, Visit, VisitKind, VisitLine, VisitStatus


def _rounds(request):
    if request is None:
        return InspectionRound.objects.none()
    return InspectionRound.objects.visible_to(request.user)


YES_NO = [("", "全部"), ("true", "是"), ("false", "否")]


class VisitFilter(RegionFilterSet):
    """The filters of the visit list, shared by the page and /api/v1/visits/."""

    q = django_filters.CharFilter(label="小区/排查人员", method="filter_q")
    round = django_filters.ModelChoiceFilter(label="排查轮次", queryset=_rounds, empty_label="全部")
    town = django_filters.ModelChoiceFilter(
        label="镇/街道", queryset=scoped_towns, field_name="estate__community__parent", empty_label="全部"
    )
    community = django_filters.ModelChoiceFilter(
        label="社区", queryset=scoped_communities, field_name="estate__community", empty_label="全部"
    )
    estate = django_filters.NumberFilter(label="小区ID", field_name="estate_id")
    kind = django_filters.ChoiceFilter(label="类型", choices=VisitKind.choices, empty_label="全部")
    status = django_filters.ChoiceFilter(label="状态", choices=VisitStatus.choices, empty_label="全部")
    has_failures = django_filters.BooleanFilter(
        label="有不合格项", method="filter_has_failures", widget=forms.Select(choices=YES_NO)
    )
    is_imported = django_filters.BooleanFilter(label="台账导入", widget=forms.Select(choices=YES_NO))
    visited_from = django_filters.DateFilter(
        label="排查日期自", field_name="visited_on", lookup_expr="gte", widget=forms.DateInput(attrs={"type": "date"})
    )
    visited_to = django_filters.DateFilter(
        label="排查日期至", field_name="visited_on", lookup_expr="lte", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = Visit
        fields = ["q", "round", "county", "town", "community", "estate", "kind", "status", "has_failures", "is_imported",
                  "visited_from", "visited_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            css = "form-select form-select-sm" if isinstance(field.widget, forms.Select) else "form-control form-control-sm"
            field.widget.attrs.setdefault("class", css)

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(estate__name__icontains=value) | Q(inspectors__icontains=value))

    def filter_has_failures(self, queryset, name, value):
        failed = Exists(VisitLine.objects.filter(visit_id=OuterRef("pk"), result=LineResult.FAIL))
        return queryset.filter(failed) if value else queryset.exclude(failed)


class RoundFilter(django_filters.FilterSet):
    """Filters of /api/v1/inspection-rounds/."""

    region = django_filters.NumberFilter(label="排查范围ID", field_name="region_id")
    campaign = django_filters.NumberFilter(label="专项行动ID", field_name="campaign_id")
    active_on = django_filters.DateFilter(label="在该日期进行中", method="filter_active_on")

    class Meta:
        model = InspectionRound
        fields = ["region", "campaign", "active_on"]

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(start_date__lte=value, end_date__gte=value)
