"""Pages of the estate registers: the overview (counts that open their lists), each register's
list (filters, export), a row's detail (fields, review, timeline), its form, the parking
disputes and the stored files. Every object is fetched through visible_to(user): another town's
row is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.capabilities import can, require
from communities.models import Estate
from core.errors import DomainError
from core.files import serve_private
from core.xlsx import xlsx_response

from . import selectors, services
from .filters import LiftFilter, RegisterRowFilter
from .forms import ParkingDisputeForm, ReviewForm, register_form
from .models import FeeDisclosure, FundUse, FundUseDocument, Lift
from .registry import GROUPS, REGISTERS, Register

SAVERS = {
    "fund-accounts": services.fund_account_save,
    "fund-collections": services.fund_collection_save,
    "fund-uses": services.fund_use_save,
    "lifts": services.lift_save,
    "parking": services.parking_save,
    "service-contracts": services.contract_save,
    "fee-disclosures": services.fee_disclosure_save,
}


#: the registers with an Excel import (estate_registers.importers): the upload page's URL name
IMPORTS = {"lifts": "estate_registers:lift-import", "service-contracts": "estate_registers:contract-import"}


def _register(slug: str) -> Register:
    register = REGISTERS.get(slug)
    if register is None:
        raise Http404
    return register


def _page(request, queryset, size=25):
    page = Paginator(queryset, size).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def _filter_class(register: Register):
    return LiftFilter.for_model(Lift) if register.model is Lift else RegisterRowFilter.for_model(register.model)


@login_required
def overview(request):
    counts = selectors.overview_counts(user=request.user, today=timezone.localdate())
    groups = [(group, [c for c in counts if c["register"].group == group]) for group in GROUPS]
    return render(request, "estate_registers/overview.html", {
        "groups": groups,
        "dispute_count": selectors.parking_disputes(user=request.user).count(),
    })


@login_required
def register_list(request, slug: str):
    register = _register(slug)
    row_filter = _filter_class(register)(
        request.GET, queryset=selectors.register_rows(user=request.user, register=register), request=request
    )
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            f"{register.label}台账（{timezone.localdate():%Y%m%d}）.xlsx",
            [(register.label, selectors.export_headers(register), selectors.export_rows(register, row_filter.qs))],
        )
    page, query = _page(request, row_filter.qs)
    headers = [str(register.model._meta.get_field(name).verbose_name) for name in register.columns[:5]]
    rows = [(row, list(zip(headers, [selectors.display(row, name) for name in register.columns[:5]], strict=True)))
            for row in page]
    return render(request, "estate_registers/list.html", {
        "register": register, "filter": row_filter, "page": page, "rows": rows, "headers": headers,
        "query": query, "is_lifts": register.model is Lift,
        "import_url": reverse(IMPORTS[register.slug]) if register.slug in IMPORTS else "",
    })


@login_required
def row_detail(request, slug: str, pk: int):
    register = _register(slug)
    row = get_object_or_404(selectors.register_rows(user=request.user, register=register), pk=pk)
    fields = [(row._meta.get_field(name).verbose_name, selectors.display(row, name)) for name in register.columns]
    context = {
        "register": register, "row": row, "fields": fields,
        "events": selectors.row_events(user=request.user, register=register, pk=row.pk),
        "review_form": ReviewForm(),
    }
    if register.model is Lift:
        context["cases"] = selectors.lift_cases(user=request.user, estate_id=row.estate_id)[:50]
    if register.model is FundUse:
        context["documents"] = row.documents.all()
    return render(request, "estate_registers/detail.html", context)


def _form_page(request, register: Register, *, estate: Estate | None, instance=None):
    require(request.user, "register.write", message="您的角色不能登记小区专项台账。")
    if request.method == "POST":
        form = register_form(register, user=request.user, estate=estate, data=request.POST, files=request.FILES,
                             instance=instance)
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in register.columns}
            target = estate or (instance.estate if instance is not None else form.cleaned_data["estate_choice"])
            if register.model is FundUse:
                values["documents"] = form.cleaned_data.get("documents") or []
            if register.model is FeeDisclosure:
                values["photo"] = form.cleaned_data.get("photo")
            try:
                row = SAVERS[register.slug](
                    user=request.user, estate_id=target.pk, pk=instance.pk if instance is not None else None, **values
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"已保存{register.label}，等待镇（街道）审核。")
                return redirect("estate_registers:detail", slug=register.slug, pk=row.pk)
    else:
        form = register_form(register, user=request.user, estate=estate, instance=instance)
    return render(request, "estate_registers/form.html", {
        "register": register, "form": form, "estate": estate or (instance.estate if instance else None),
        "row": instance,
    }, status=400 if request.method == "POST" else 200)


@login_required
def row_create(request, slug: str):
    register = _register(slug)
    estate = None
    if request.GET.get("estate", "").isdigit():
        estate = get_object_or_404(Estate.objects.visible_to(request.user).select_related("community"),
                                   pk=request.GET["estate"])
    if register.one_per_estate and estate is not None:
        existing = register.model.objects.visible_to(request.user).filter(estate=estate).first()
        if existing is not None:
            return redirect("estate_registers:edit", slug=register.slug, pk=existing.pk)
    return _form_page(request, register, estate=estate)


@login_required
def row_edit(request, slug: str, pk: int):
    register = _register(slug)
    row = get_object_or_404(
        register.model.objects.visible_to(request.user).select_related("estate__community"), pk=pk
    )
    return _form_page(request, register, estate=row.estate, instance=row)


@login_required
@require_POST
def row_review(request, slug: str, pk: int):
    register = _register(slug)
    get_object_or_404(register.model.objects.visible_to(request.user), pk=pk)
    form = ReviewForm(request.POST)
    approve = form.is_valid() and form.cleaned_data["decision"] == "approve"
    try:
        services.register_review(user=request.user, register=register.slug, pk=pk, approve=approve,
                                 reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已审核通过。" if approve else "已退回，填报单位将看到退回原因。")
    return redirect("estate_registers:detail", slug=register.slug, pk=pk)


@login_required
def dispute_list(request):
    page, query = _page(request, selectors.parking_disputes(user=request.user))
    return render(request, "estate_registers/disputes.html", {"page": page, "query": query})


@login_required
def dispute_create(request):
    require(request.user, "case.open", message="只读账号不能登记停车纠纷。")
    form = ParkingDisputeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            dispute = services.parking_dispute_record(
                user=request.user, estate_id=form.cleaned_data["estate"].pk, kind=form.cleaned_data["kind"],
                description=form.cleaned_data["description"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "已登记停车纠纷，并已进入整改台账。")
            return redirect(reverse("rectification:case-detail", args=[dispute.case_id]))
    return render(request, "estate_registers/dispute_form.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
def document_download(request, pk: int):
    return serve_private(request, FundUseDocument.objects, pk=pk)


@login_required
def fee_photo(request, pk: int):
    return serve_private(request, FeeDisclosure.objects, pk=pk, field="photo", name_field="photo_name")


def can_review(user) -> bool:
    return can(user, "register.review")
