import base64
import secrets
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.capabilities import can, require
from communities.models import Estate
from core import jobs
from core.errors import DomainError
from core.files import private_storage, serve_private
from core.models import ImportJob
from core.xlsx import xlsx_response

from . import importer, selectors, services
from .filters import DisclosureFilter, EstateRevenueFilter
from .forms import AccountForm, DisclosureForm, EntryForm, ImportForm, ReviewForm, SourceForm
from .models import Disclosure, RevenueAccount, RevenueEntry


def _page(request, queryset, size=25):
    page = Paginator(queryset, size).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def _estate_or_404(request, pk: int) -> Estate:
    return get_object_or_404(
        Estate.objects.visible_to(request.user).select_related("community__parent", "enterprise"), pk=pk
    )


@login_required
def overview(request):
    """Coverage and figures per town, and each estate's account and this year's money."""
    year = timezone.localdate().year
    estate_filter = EstateRevenueFilter(
        request.GET, queryset=selectors.estate_overview(user=request.user, year=year), request=request
    )
    figures = selectors.town_figures(user=request.user, year=year)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            f"公共收益汇总（{year}年）.xlsx",
            [
                ("分镇汇总", selectors.FIGURES_EXPORT_HEADERS, selectors.figures_export_rows(figures)),
                ("小区公共收益", selectors.OVERVIEW_EXPORT_HEADERS, selectors.overview_export_rows(estate_filter.qs)),
            ],
        )
    page, query = _page(request, estate_filter.qs)
    return render(
        request,
        "public_revenue/overview.html",
        {
            "filter": estate_filter,
            "page": page,
            "query": query,
            "figures": figures,
            "total": selectors.figures_total(figures),
            "year": year,
        },
    )


@login_required
def estate_ledger(request, pk: int):
    estate = _estate_or_404(request, pk)
    entries = selectors.estate_entries(user=request.user, estate_id=estate.pk)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            f"{estate.name}公共收益收支明细.xlsx",
            [("收支明细", selectors.ENTRY_EXPORT_HEADERS, selectors.entry_export_rows(entries))],
        )
    today = timezone.localdate()
    page, query = _page(request, entries)
    return render(
        request,
        "public_revenue/estate_ledger.html",
        {
            "estate": estate,
            "account": RevenueAccount.objects.filter(estate=estate).first(),
            "sources": selectors.estate_sources(user=request.user, estate_id=estate.pk),
            "page": page,
            "query": query,
            "disclosures": Disclosure.objects.visible_to(request.user)
            .filter(estate=estate)
            .order_by("-period_start")[:12],
            "findings": selectors.finding_list(user=request.user).filter(estate=estate)[:20],
            "year": today.year,
            "year_totals": selectors.ledger_totals(
                estate_id=estate.pk, start=date(today.year, 1, 1), end=date(today.year, 12, 31)
            ),
            "rule": selectors.rule_for_estate(estate),
            "can_write": can(request.user, "revenue.write"),
        },
    )


def _form_page(request, estate, form, title, template="public_revenue/form.html", status=200):
    return render(request, template, {"estate": estate, "form": form, "title": title}, status=status)


def _write(request, estate, form, title, call, success):
    """POST handling shared by the four entry forms: a valid form calls the service; a refusal
    is shown on the form with its 4xx status."""
    require(request.user, "revenue.write", message="您的角色不能登记公共收益信息。")
    if request.method == "POST":
        if form.is_valid():
            try:
                call(form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, exc.message)
                return _form_page(request, estate, form, title, status=exc.status_code)
            messages.success(request, success)
            return redirect("public_revenue:estate", pk=estate.pk)
        return _form_page(request, estate, form, title, status=400)
    return _form_page(request, estate, form, title)


@login_required
def account_edit(request, pk: int):
    estate = _estate_or_404(request, pk)
    account = RevenueAccount.objects.filter(estate=estate).first()
    initial = {}
    if account:
        initial = {
            "has_account": "1" if account.has_account else "0",
            "bank": account.bank,
            "account_name": account.account_name,
            "opened_on": account.opened_on,
            "holder": account.holder,
            "note": account.note,
        }
    form = AccountForm(request.POST or None, initial=initial)
    return _write(
        request,
        estate,
        form,
        "登记公共收益专门账户",
        lambda d: services.account_record(user=request.user, estate_id=estate.pk, **d),
        "专门账户信息已保存。",
    )


@login_required
def source_create(request, pk: int):
    estate = _estate_or_404(request, pk)
    form = SourceForm(request.POST or None)
    return _write(
        request,
        estate,
        form,
        "登记公共部位经营项目",
        lambda d: services.source_create(user=request.user, estate_id=estate.pk, **d),
        "经营项目已登记。",
    )


@login_required
def entry_create(request, pk: int):
    estate = _estate_or_404(request, pk)
    form = EntryForm(request.POST or None, request.FILES or None, estate=estate)

    def call(d):
        source = d.pop("source")
        return services.entry_create(
            user=request.user, estate_id=estate.pk, source_id=source.pk if source else None, **d
        )

    return _write(request, estate, form, "登记公共收益收支", call, "收支已登记。")


@login_required
def disclosure_create(request, pk: int):
    estate = _estate_or_404(request, pk)
    form = DisclosureForm(
        request.POST or None, request.FILES or None, period_months=selectors.rule_for_estate(estate).period_months
    )
    return _write(
        request,
        estate,
        form,
        "登记公共收益公示",
        lambda d: services.disclosure_create(user=request.user, estate_id=estate.pk, **d),
        "公示已登记。",
    )


@login_required
def disclosure_list(request):
    disclosure_filter = DisclosureFilter(
        request.GET, queryset=selectors.disclosure_list(user=request.user), request=request
    )
    page, query = _page(request, disclosure_filter.qs)
    return render(
        request,
        "public_revenue/disclosure_list.html",
        {
            "filter": disclosure_filter,
            "page": page,
            "query": query,
            "can_review": can(request.user, "revenue.review"),
            "review_form": ReviewForm(),
        },
    )


@login_required
@require_POST
def disclosure_review(request, pk: int):
    disclosure = get_object_or_404(Disclosure.objects.visible_to(request.user), pk=pk)
    form = ReviewForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    services.disclosure_review(user=request.user, disclosure_id=disclosure.pk, note=note)
    messages.success(request, f"已审阅{disclosure.estate.name}{disclosure.period_label}公示。")
    return redirect(
        request.POST.get("next")
        if str(request.POST.get("next", "")).startswith("/revenue/")
        else "public_revenue:disclosure-list"
    )


@login_required
def voucher_download(request, pk: int):
    return serve_private(request, RevenueEntry.objects, pk=pk, field="voucher", name_field="voucher_name")


@login_required
def disclosure_photo(request, pk: int):
    return serve_private(request, Disclosure.objects, pk=pk, field="photo", name_field="photo_name")


# ---------------------------------------------------------------------------------------------
# Public (no login)


def public_estate(request, estate_id: int):
    """The owners' page, reached from the estate's QR code: published disclosures and this
    year's totals; no personal data and no full account number."""
    context = selectors.public_estate_revenue(estate_id=estate_id)
    if context is None:
        raise Http404
    return render(request, "public_revenue/public_estate.html", context)


def public_photo(request, pk: int):
    """The notice photo of a disclosure: every disclosure is public (the owners' page lists them)."""
    return serve_private(request, Disclosure.objects.all(), pk=pk, field="photo", name_field="photo_name", public=True)


# ---------------------------------------------------------------------------------------------
# Import (preview, then confirm)

IMPORT_SESSION_KEY = "public_revenue_import"
MAX_IMPORT_BYTES = 2 * 1024 * 1024
PREVIEW_JOB = "public_revenue.ledger_preview"
IMPORT_JOB = "public_revenue.ledger_import"


def _import_message(preview: importer.Preview) -> str:
    return f"已导入 {len(preview.new)} 条，跳过重复 {len(preview.duplicates)} 条。"


def _stored_content(stored: dict) -> bytes:
    """The previewed file: in the session (small files) or in the private store (a job's)."""
    if stored.get("path"):
        if not private_storage.exists(stored["path"]):
            raise importer.ImportRefused("预览已失效，请重新上传文件。")
        with private_storage.open(stored["path"], "rb") as handle:
            return handle.read()
    return base64.b64decode(stored["content"])


@login_required
def ledger_import(request, pk: int):
    """Upload → preview → confirm. A file above IMPORT_BACKGROUND_BYTES is previewed, then
    imported, by an import job (core.jobs) that leads back here (`?job=`)."""
    estate = _estate_or_404(request, pk)
    require(request.user, "revenue.write", message="您的角色不能登记公共收益信息。")
    context = {"estate": estate, "form": ImportForm(), "title": "导入收支明细"}
    if request.method != "POST":
        if request.GET.get("job"):
            return _job_finished(request, estate, context)
        return render(request, "public_revenue/import.html", context)
    try:
        if request.POST.get("action") == "confirm":
            stored = request.session.get(IMPORT_SESSION_KEY) or {}
            if stored.get("estate") != estate.pk:
                raise importer.ImportRefused("请先上传文件并预览。")
            if stored.get("path"):  # a large file, previewed by a job: imported by one
                job = jobs.job_create(
                    owner=request.user, kind=IMPORT_JOB, data=None, file_name=stored.get("name", ""),
                    options={"estate": estate.pk, "path": stored["path"], "back": request.path},
                )
                request.session.pop(IMPORT_SESSION_KEY, None)
                return redirect("import-job", pk=job.pk)
            preview = importer.ledger_import(user=request.user, estate_id=estate.pk, content=_stored_content(stored))
            request.session.pop(IMPORT_SESSION_KEY, None)
            messages.success(request, _import_message(preview))
            return redirect("public_revenue:estate", pk=estate.pk)
        form = ImportForm(request.POST, request.FILES)
        context["form"] = form
        if not form.is_valid():
            return render(request, "public_revenue/import.html", context, status=400)
        upload = form.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise importer.ImportRefused("文件超过 2MB，请分批导入。")
        content = upload.read()
        if jobs.goes_to_background(len(content)):
            importer.check_file(content)  # a bomb or another type: refused now, not by the job
            job = jobs.job_create(owner=request.user, kind=PREVIEW_JOB, data=content, file_name=upload.name,
                                  options={"estate": estate.pk, "back": request.path})
            return redirect("import-job", pk=job.pk)
        preview = importer.ledger_import_preview(user=request.user, estate_id=estate.pk, content=content)
        request.session[IMPORT_SESSION_KEY] = {"estate": estate.pk, "content": base64.b64encode(content).decode()}
    except DomainError as exc:
        context["error"] = exc.message
        return render(request, "public_revenue/import.html", context, status=exc.status_code)
    return _preview_page(request, context, preview)


def _preview_page(request, context: dict, preview: importer.Preview):
    context.update(preview=preview, preview_income=preview.total("income"), preview_spending=preview.total("spending"))
    return render(request, "public_revenue/import.html", context)


def _job_finished(request, estate: Estate, context: dict):
    """Where a finished job leads: the preview of a large file, or the message of its import."""
    job = jobs.job_done_or_404(user=request.user, pk=request.GET["job"], kinds=[PREVIEW_JOB, IMPORT_JOB],
                               options__estate=estate.pk)
    if job.kind == IMPORT_JOB:
        messages.success(request, job.result["message"])
        return redirect("public_revenue:estate", pk=estate.pk)
    if not private_storage.exists(job.result["path"]):
        context["error"] = "预览已失效，请重新上传文件。"
        return render(request, "public_revenue/import.html", context)
    request.session[IMPORT_SESSION_KEY] = {"estate": estate.pk, "path": job.result["path"], "name": job.file_name}
    return _preview_page(request, context, importer.Preview.from_json(job.result["preview"]))


@jobs.runner(PREVIEW_JOB)
def preview_job(*, job: ImportJob, data: bytes, progress) -> dict:
    estate_id = job.options["estate"]
    preview = importer.ledger_import_preview(user=job.owner, estate_id=estate_id, content=data, progress=progress)
    path = private_storage.save(f"imports/{secrets.token_hex(16)}.xlsx", ContentFile(data))
    return {"preview": preview.to_json(), "path": path,
            "next": f"{reverse('public_revenue:import', args=[estate_id])}?job={job.pk}"}


@jobs.runner(IMPORT_JOB)
def import_job(*, job: ImportJob, data: None, progress) -> dict:
    estate_id = job.options["estate"]
    content = _stored_content({"path": job.options["path"]})
    preview = importer.ledger_import(user=job.owner, estate_id=estate_id, content=content, progress=progress)
    private_storage.delete(job.options["path"])
    return {"message": _import_message(preview),
            "next": f"{reverse('public_revenue:import', args=[estate_id])}?job={job.pk}"}
