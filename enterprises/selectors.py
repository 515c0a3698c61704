from django.db.models import Count, Q, Sum

from communities.models import Estate

from .filters import EnterpriseFilter
from .models import Enterprise


def enterprise_list(*, user, filter_data=None, request=None):
    """Enterprises the user may see, each with the count and households of the estates it
    serves inside the user's scope (not across the whole country)."""
    visible_estates = Estate.objects.visible_to(user).values("pk")
    in_scope = Q(estates__in=visible_estates)
    queryset = (
        Enterprise.objects.visible_to(user)
        .select_related("registered_region")
        .annotate(
            estate_count=Count("estates", filter=in_scope, distinct=True),
            household_total=Sum("estates__households", filter=in_scope),
        )
        .order_by("name")
    )
    return EnterpriseFilter(filter_data, queryset=queryset, request=request)


ENTERPRISE_EXPORT_HEADERS = ["序号", "企业名称", "统一社会信用代码", "法定代表人", "联系人", "联系电话", "注册地", "服务小区数", "服务户数"]


def enterprise_export_rows(queryset):
    for index, e in enumerate(queryset, start=1):
        yield [
            index, e.name, e.credit_code, e.legal_representative, e.contact_person, e.contact_phone,
            e.registered_region.name if e.registered_region_id else "", e.estate_count, e.household_total or 0,
        ]
