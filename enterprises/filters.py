import django_filters
from django.db.models import Q

from .models import Enterprise


class EnterpriseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="企业名称/信用代码/法定代表人", method="filter_q")
    credit_code = django_filters.CharFilter(label="统一社会信用代码", lookup_expr="iexact")

    class Meta:
        model = Enterprise
        fields = ["q", "credit_code"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(credit_code__icontains=value) | Q(legal_representative__icontains=value)
        )
