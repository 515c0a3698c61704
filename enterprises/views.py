from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from communities.models import Estate
from core.xlsx import xlsx_response

from . import selectors
from .models import Enterprise


@login_required
def enterprise_list(request):
    enterprise_filter = selectors.enterprise_list(user=request.user, filter_data=request.GET, request=request)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "物业服务企业名册.xlsx",
            [("物业服务企业", selectors.ENTERPRISE_EXPORT_HEADERS, selectors.enterprise_export_rows(enterprise_filter.qs))],
        )
    page = Paginator(enterprise_filter.qs, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "enterprises/enterprise_list.html", {"filter": enterprise_filter, "page": page, "query": query.urlencode()}
    )


@login_required
def enterprise_detail(request, pk: int):
    enterprise = get_object_or_404(Enterprise.objects.visible_to(request.user).select_related("registered_region"), pk=pk)
    estates = Estate.objects.visible_to(request.user).filter(enterprise=enterprise).with_regions()
    return render(request, "enterprises/enterprise_detail.html", {"enterprise": enterprise, "estates": estates})
