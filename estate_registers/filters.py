import django_filters
from django import forms
from django.utils import timezone

from communities.filters import RegionFilterSet, scoped_towns

from . import selectors
from .models import ReviewStatus


class RegisterRowFilter(RegionFilterSet):
    """The filter of every register's list (the model is set per register by `for_model`)."""

    q = django_filters.CharFilter(label="小区名称", field_name="estate__name", lookup_expr="icontains")
    town = django_filters.ModelChoiceFilter(
        label="镇/街道", queryset=scoped_towns, field_name="estate__community__parent", empty_label="全部"
    )
    status = django_filters.ChoiceFilter(label="审核状态", choices=ReviewStatus.choices, empty_label="全部")
    estate = django_filters.NumberFilter(label="小区", field_name="estate_id", widget=forms.HiddenInput)

    @classmethod
    def for_model(cls, model):
        meta = type("Meta", (), {"model": model, "fields": ["q", "county", "town", "status", "estate"]})
        return type(f"{model.__name__}Filter", (cls,), {"Meta": meta})


class LiftFilter(RegisterRowFilter):
    due = django_filters.ChoiceFilter(
        label="清单", method="filter_due", empty_label="全部电梯",
        choices=[("maintenance", "超期未维保"), ("age", "超过使用年限")],
    )

    def filter_due(self, queryset, name, value):
        today = timezone.localdate()
        if value == "maintenance":
            return selectors.lifts_maintenance_overdue(queryset, today=today)
        return selectors.lifts_over_age(queryset, today=today)
