from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from core.xlsx import xlsx_response

from . import selectors
from .models import Estate


@login_required
def estate_list(request):
    estate_filter = selectors.estate_list(user=request.user, filter_data=request.GET, request=request)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "住宅小区名册.xlsx",
            [("住宅小区", selectors.ESTATE_EXPORT_HEADERS, selectors.estate_export_rows(estate_filter.qs))],
        )
    page = Paginator(estate_filter.qs, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "communities/estate_list.html",
        {"filter": estate_filter, "page": page, "query": query.urlencode()},
    )


@login_required
def estate_detail(request, pk: int):
    estate = get_object_or_404(Estate.objects.visible_to(request.user).with_regions(), pk=pk)
    return render(request, "communities/estate_detail.html", {"estate": estate})
