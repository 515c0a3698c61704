import re
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.capabilities import can, require
from communities.models import Estate
from core import jobs
from core.errors import DomainError, NotFound, PermissionDenied
from core.files import private_storage, serve_private
from core.forms import service_values
from core.models import ImportJob
from core.xlsx import xlsx_response

from . import imports, selectors, services
from .filters import VisitFilter
from .forms import DrawForm, ImportForm, RoundForm, VisitForm
from .models import ChecklistItem, LineResult, Visit, VisitKind, VisitPhoto

PAGE_SIZE = 25


def _or_404(obj):
    if obj is None:
        raise Http404
    return obj


def _page_size(request) -> int:
    size = request.GET.get("page_size", "")
    return min(int(size), 200) if size.isdigit() and int(size) > 0 else PAGE_SIZE


# ---------------------------------------------------------------------------------------------
# Rounds


@login_required
def round_list(request):
    page = Paginator(selectors.round_list(user=request.user), _page_size(request)).get_page(request.GET.get("page"))
    for round in page:
        round.coverage_percent = selectors._percent(round.inspected_count, round.expected_count)
    return render(request, "inspections/round_list.html", {
        "page": page, "query": "", "can_create": can(request.user, "round.manage"),
    })


@login_required
def round_create(request):
    require(request.user, "round.manage", message="只有县专班或镇/街道可以发起排查轮次。")
    form = RoundForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            round = services.round_create(
                user=request.user, name=data["name"], region_id=data["region"].pk, start_date=data["start_date"],
                end_date=data["end_date"], campaign_id=data["campaign"].pk if data["campaign"] else None,
                note=data["note"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"排查轮次已发起，检查清单共 {round.items.count()} 项，可按需调整。")
            return redirect("inspections:round-detail", pk=round.pk)
    return render(request, "inspections/round_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def round_detail(request, pk: int):
    user = request.user
    round = _or_404(selectors.round_get(user=user, pk=pk))
    kind = VisitKind.SELF_CHECK if user.is_enterprise_user else VisitKind.INSPECTION
    context = {
        "round": round,
        "coverage": selectors.round_coverage(round=round, user=user),
        "entries": selectors.visit_entries(user=user, round=round, kind=kind),
        "entry_kind": kind,
        "can_record": can(user, services.KIND_CAPABILITIES[kind]) and round.is_running,
        "can_edit_drafts": can(user, services.KIND_CAPABILITIES[kind]),
        "can_edit_checklist": _can_edit_checklist(user, round),
        "can_import": can(user, "inspection.record"),
        "checklist_count": selectors.round_checklist(round=round).count(),
    }
    if not user.is_enterprise_user:
        context["self_checks"] = selectors.round_self_checks(round=round, user=user)
        context["self_checks_missing"] = [r for r in context["self_checks"] if r["not_started"]]
    return render(request, "inspections/round_detail.html", context)


def _can_edit_checklist(user, round) -> bool:
    return can(user, "round.manage") and (user.sees_everything or round.region.path.startswith(user.region.path))


@login_required
def checklist_edit(request, pk: int):
    round = _or_404(selectors.round_get(user=request.user, pk=pk))
    if not _can_edit_checklist(request.user, round):
        raise PermissionDenied("只有发起本轮排查的单位可以编辑检查清单。")
    items = list(ChecklistItem.objects.filter(round=round).select_related("category").order_by("sort_order", "id"))
    error = None
    if request.method == "POST":
        changes = {
            item.pk: {"label": request.POST.get(f"label_{item.pk}", item.label),
                      "is_active": request.POST.get(f"active_{item.pk}") == "on"}
            for item in items
        }
        add = request.POST.get("add_category", "")
        try:
            services.checklist_update(user=request.user, round_id=round.pk, changes=changes,
                                      add_category_id=int(add) if add.isdigit() else None)
        except NotFound:
            raise Http404 from None
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, "检查清单已保存。")
            return redirect("inspections:round-detail", pk=round.pk)
    present = {i.category_id for i in items}
    addable = [c for c in selectors.leaf_categories() if c.pk not in present]
    return render(request, "inspections/checklist_form.html", {
        "round": round, "items": items, "addable": addable, "error": error,
    }, status=400 if error else 200)


# ---------------------------------------------------------------------------------------------
# Visits: one page, draft or submit, on a phone


def _visit_groups(checklist, lines_by_key, post=None):
    groups: dict[str, list] = {}
    for entry in checklist:
        key = str(entry.category.pk)
        line = lines_by_key.get(key)
        if post is not None:
            result, note = post.get(f"result_{key}", ""), post.get(f"note_{key}", "")
        else:
            result, note = (line.result, line.note) if line else ("", "")
        groups.setdefault(entry.group_label, []).append({
            "entry": entry, "key": key, "result": result, "note": note,
            "photos": list(line.photos.all()) if line else [], "case": line.case if line else None,
        })
    return list(groups.items())


def _visit_page(request, *, round, draw, kind, visit=None, estate=None, error=None, post=None, status=200):
    checklist = selectors.visit_checklist(round=round)
    lines = {str(line.category_id): line for line in selectors.visit_lines(visit=visit, user=request.user)} if visit else {}
    estates = None
    if visit is None and estate is None and round is not None:
        estates = selectors.round_area_estates(round=round, user=request.user).select_related("community")
    values = post or {}
    return render(request, "inspections/visit_form.html", {
        "round": round, "draw": draw, "kind": kind, "kind_label": VisitKind(kind).label, "visit": visit,
        "estate": visit.estate if visit else estate, "estates": estates,
        "groups": _visit_groups(checklist, lines, post), "results": LineResult.choices, "error": error,
        "visited_on": values.get("visited_on") or (visit.visited_on.isoformat() if visit else timezone.localdate().isoformat()),
        "inspectors": values.get("inspectors", visit.inspectors if visit else ""),
        "enterprise_representative": values.get("enterprise_representative", visit.enterprise_representative if visit else ""),
        "note": values.get("note", visit.note if visit else ""),
        "max_date": timezone.localdate().isoformat(), "post_estate": values.get("estate", ""),
    }, status=status)


def _visit_post(request, *, round, draw, kind, visit=None, estate=None):
    keys = [str(entry.category.pk) for entry in selectors.visit_checklist(round=round)]
    try:
        header = service_values(VisitForm(request.POST))
    except DomainError as exc:
        return _visit_page(request, round=round, draw=draw, kind=kind, visit=visit, estate=estate,
                           error=exc.message, post=request.POST, status=exc.status_code)
    lines = {key: {"result": request.POST.get(f"result_{key}", ""), "note": request.POST.get(f"note_{key}", "")} for key in keys}
    photos = {key: request.FILES.getlist(f"photos_{key}") for key in keys if request.FILES.getlist(f"photos_{key}")}
    submit = request.POST.get("action") == "submit"
    posted_estate = request.POST.get("estate", "")
    estate_id = visit.estate_id if visit else (estate.pk if estate else int(posted_estate) if posted_estate.isdigit() else None)
    common = {"user": request.user, "kind": kind, "estate_id": estate_id, "round_id": round.pk if round else None,
              "spot_draw_id": draw.pk if draw else None, "visit_id": visit.pk if visit else None,
              **header, "lines": lines, "photos": photos}
    try:
        saved = services.visit_save(**common, submit=submit)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        if exc.status_code == 403:
            raise
        if submit and exc.status_code == 400:
            # Keep what was typed (and the photos) as a draft, then say what is missing.
            try:
                draft = services.visit_save(**common, submit=False)
            except DomainError:
                pass
            else:
                return _visit_page(request, round=round, draw=draw, kind=kind, visit=draft,
                                   error=f"未能提交：{exc.message}（已保存为草稿）", status=400)
        return _visit_page(request, round=round, draw=draw, kind=kind, visit=visit, estate=estate,
                           error=exc.message, post=request.POST, status=exc.status_code)
    if submit:
        opened = saved.lines.filter(case__isnull=False).count()
        messages.success(request, f"排查记录已提交。{f'{opened} 项不合格已转入整改台账。' if opened else '全部合格。'}")
        return redirect("inspections:visit-detail", pk=saved.pk)
    messages.success(request, "已保存草稿，可稍后继续填写。")
    return redirect("inspections:visit-edit", pk=saved.pk)


def _estate_from_query(request):
    estate_id = request.GET.get("estate", "")
    if not estate_id.isdigit():
        return None
    estates = Estate.objects.visible_to(request.user).select_related("community__parent")
    return _or_404(estates.filter(pk=estate_id).first())


@login_required
def visit_new(request, pk: int):
    round = _or_404(selectors.round_get(user=request.user, pk=pk))
    kind = VisitKind.SELF_CHECK if request.user.is_enterprise_user else VisitKind.INSPECTION
    require(request.user, services.KIND_CAPABILITIES[kind], message=f"您不能录入{VisitKind(kind).label}记录。")
    estate = _estate_from_query(request)
    if request.method == "POST":
        return _visit_post(request, round=round, draw=None, kind=kind, estate=estate)
    return _visit_page(request, round=round, draw=None, kind=kind, estate=estate)


@login_required
def spot_visit_new(request, pk: int):
    draw = _or_404(selectors.draw_get(user=request.user, pk=pk))
    require(request.user, "spot_check.record", message="只有县专班可以录入四不两直抽查结果。")
    estate = _or_404(_estate_from_query(request))
    if request.method == "POST":
        return _visit_post(request, round=draw.round, draw=draw, kind=VisitKind.SPOT_CHECK, estate=estate)
    return _visit_page(request, round=draw.round, draw=draw, kind=VisitKind.SPOT_CHECK, estate=estate)


@login_required
def visit_edit(request, pk: int):
    visit = _or_404(selectors.visit_get(user=request.user, pk=pk))
    if not visit.is_draft:
        return redirect("inspections:visit-detail", pk=visit.pk)
    require(request.user, services.KIND_CAPABILITIES[visit.kind], message=f"您不能填写{visit.get_kind_display()}记录。")
    if request.method == "POST":
        return _visit_post(request, round=visit.round, draw=visit.spot_draw, kind=visit.kind, visit=visit)
    return _visit_page(request, round=visit.round, draw=visit.spot_draw, kind=visit.kind, visit=visit)


@login_required
def visit_detail(request, pk: int):
    visit = _or_404(selectors.visit_get(user=request.user, pk=pk))
    lines = list(selectors.visit_lines(visit=visit, user=request.user))
    return render(request, "inspections/visit_detail.html", {
        "visit": visit, "lines": lines, "failures": [line for line in lines if line.result == LineResult.FAIL],
        "can_edit": visit.is_draft and can(request.user, services.KIND_CAPABILITIES[visit.kind]),
    })


@login_required
def visit_list(request):
    user = request.user
    if request.GET.get("export") == "xlsx":
        visits = VisitFilter(request.GET, queryset=Visit.objects.visible_to(user), request=request).qs
        lines = selectors.ledger_lines(visits=visits)
        return xlsx_response(f"排查台账{timezone.localdate():%Y%m%d}.xlsx", [
            ("排查台账", selectors.LEDGER_HEADERS, selectors.ledger_rows(lines, user=user)),
            ("分类汇总", selectors.LEDGER_TOTAL_HEADERS, selectors.ledger_totals(lines)),
        ])
    visit_filter = selectors.visit_list(user=user, filter_data=request.GET, request=request)
    page = Paginator(visit_filter.qs, _page_size(request)).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "inspections/visit_list.html", {
        "filter": visit_filter, "page": page, "query": query.urlencode(),
    })


@login_required
def photo_download(request, pk: int):
    return serve_private(request, VisitPhoto.objects, pk=pk)


@login_required
def self_check(request):
    """自查自纠: an enterprise user's running rounds and its estates in each."""
    user = request.user
    rounds = [r for r in selectors.round_list(user=user) if r.is_running]
    sections = []
    if user.is_enterprise_user:
        sections = [(r, list(selectors.visit_entries(user=user, round=r, kind=VisitKind.SELF_CHECK))) for r in rounds[:10]]
    return render(request, "inspections/self_check.html", {"rounds": rounds, "sections": sections})


# ---------------------------------------------------------------------------------------------
# Ledger import


@login_required
def ledger_template(request):
    """An empty ledger sheet in the layout the import reads, with one example row."""
    example = ["海阳花园", "秀阳社区", timezone.localdate(), "王芳、李明", "A3", "3号楼消防通道堆放杂物", "限期清理", "李强",
               timezone.localdate()]
    return xlsx_response("排查台账导入模板.xlsx", [("排查台账", imports.TEMPLATE_HEADERS, [example])])


_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def _pending_path(token: str) -> str:
    return f"inspections/imports/{token}.xlsx"


PREVIEW_JOB = "inspections.ledger_preview"
IMPORT_JOB = "inspections.ledger_import"


def _import_message(result: imports.LedgerPreview) -> str:
    return f"导入完成：新增 {result.new_count} 条排查问题，跳过已导入 {result.skipped_count} 条。"


@login_required
def ledger_import(request, pk: int):
    """Upload → preview → confirm. A file above IMPORT_BACKGROUND_BYTES is previewed, then
    imported, by an import job (core.jobs) that leads back here (`?job=`)."""
    user = request.user
    round = _or_404(selectors.round_get(user=user, pk=pk))
    require(user, "inspection.record", message="只有县专班、镇/街道和社区可以导入排查台账。")
    form = ImportForm()
    context = {"round": round, "form": form, "headers": imports.TEMPLATE_HEADERS}
    if request.method != "POST":
        if request.GET.get("job"):
            return _job_finished(request, round, context)
        return render(request, "inspections/import.html", context)
    pending = request.session.get("inspection_imports", {})
    token = request.POST.get("token", "")
    try:
        if token:
            if not _TOKEN.match(token) or pending.get(token) != round.pk or not private_storage.exists(_pending_path(token)):
                raise imports.ImportRefused("预览已失效，请重新上传文件。")
            if jobs.goes_to_background(private_storage.size(_pending_path(token))):
                job = jobs.job_create(owner=user, kind=IMPORT_JOB, data=None, file_name="",
                                      options={"round": round.pk, "token": token, "back": request.path})
                pending.pop(token, None)
                request.session["inspection_imports"] = pending
                return redirect("import-job", pk=job.pk)
            with private_storage.open(_pending_path(token), "rb") as handle:
                content = handle.read()
            result = imports.ledger_import(user=user, round_id=round.pk, content=content)
            private_storage.delete(_pending_path(token))
            pending.pop(token, None)
            request.session["inspection_imports"] = pending
            messages.success(request, _import_message(result))
            return redirect("inspections:round-detail", pk=round.pk)
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            raise imports.ImportRefused("请选择要导入的 Excel 文件。")
        upload = form.cleaned_data["file"]
        if upload.size > imports.MAX_BYTES:
            raise imports.ImportRefused("文件超过 10MB。")
        content = upload.read()
        if jobs.goes_to_background(len(content)):
            imports.check_file(content)  # a bomb or another type: refused now, not by the job
            job = jobs.job_create(owner=user, kind=PREVIEW_JOB, data=content, file_name=upload.name,
                                  options={"round": round.pk, "back": request.path})
            return redirect("import-job", pk=job.pk)
        preview = imports.ledger_preview(user=user, round=round, content=content)
    except NotFound:
        raise Http404 from None
    except imports.ImportRefused as exc:
        context.update(error=exc.message, errors=exc.errors)
        return render(request, "inspections/import.html", context, status=400)
    token = ""
    if not preview.errors:
        token = secrets.token_hex(16)
        private_storage.save(_pending_path(token), ContentFile(content))
    return _preview_page(request, context, preview, token)


def _preview_page(request, context: dict, preview: imports.LedgerPreview, token: str):
    context["preview"] = preview
    if preview.errors:
        context.update(error=f"导入文件有 {len(preview.errors)} 处错误，请修改后重新上传。未导入任何数据。",
                       errors=preview.errors)
        return render(request, "inspections/import.html", context, status=400)
    pending = request.session.get("inspection_imports", {})
    pending[token] = context["round"].pk
    request.session["inspection_imports"] = pending
    context["token"] = token
    return render(request, "inspections/import.html", context)


def _job_finished(request, round, context: dict):
    """Where a finished job leads: the preview of a large file, or the message of its import."""
    job = jobs.job_done_or_404(user=request.user, pk=request.GET["job"], kinds=[PREVIEW_JOB, IMPORT_JOB],
                               options__round=round.pk)
    if job.kind == IMPORT_JOB:
        messages.success(request, job.result["message"])
        return redirect("inspections:round-detail", pk=round.pk)
    token = job.result["token"]
    if token and not private_storage.exists(_pending_path(token)):
        context.update(error="预览已失效，请重新上传文件。")
        return render(request, "inspections/import.html", context)
    return _preview_page(request, context, imports.LedgerPreview.from_json(job.result["preview"]), token)


@jobs.runner(PREVIEW_JOB)
def preview_job(*, job: ImportJob, data: bytes, progress) -> dict:
    round = selectors.round_get(user=job.owner, pk=job.options["round"])
    if round is None:
        raise NotFound("排查轮次不存在或不在您的管辖范围内。")
    preview = imports.ledger_preview(user=job.owner, round=round, content=data, progress=progress)
    token = ""
    if not preview.errors:
        token = secrets.token_hex(16)
        private_storage.save(_pending_path(token), ContentFile(data))
    return {"preview": preview.to_json(), "token": token,
            "next": f"{reverse('inspections:ledger-import', args=[round.pk])}?job={job.pk}"}


@jobs.runner(IMPORT_JOB)
def import_job(*, job: ImportJob, data: None, progress) -> dict:
    path = _pending_path(job.options["token"])
    if not private_storage.exists(path):
        raise imports.ImportRefused("预览已失效，请重新上传文件。")
    with private_storage.open(path, "rb") as handle:
        content = handle.read()
    result = imports.ledger_import(user=job.owner, round_id=job.options["round"], content=content, progress=progress)
    private_storage.delete(path)
    return {"message": _import_message(result),
            "next": f"{reverse('inspections:ledger-import', args=[job.options['round']])}?job={job.pk}"}


# ---------------------------------------------------------------------------------------------
# Spot checks (四不两直)


@login_required
def draw_list(request):
    page = Paginator(selectors.draw_list(user=request.user), _page_size(request)).get_page(request.GET.get("page"))
    return render(request, "inspections/draw_list.html", {
        "page": page, "query": "", "can_draw": can(request.user, "spot_check.draw"),
    })


@login_required
def draw_create(request):
    require(request.user, "spot_check.draw", message="只有县专班可以组织四不两直抽查。")
    form = DrawForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            draw = services.spot_check_draw(
                user=request.user, region_id=data["region"].pk, sample_size=data["sample_size"], seed=data["seed"],
                exclude_recent_days=30 if data["exclude_recent"] else 0,
                round_id=data["round"].pk if data["round"] else None, note=data["note"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已抽取 {draw.candidates.filter(position__isnull=False).count()} 个小区，随机种子 {draw.seed}。")
            return redirect("inspections:draw-detail", pk=draw.pk)
    return render(request, "inspections/draw_form.html", {
        "form": form, "formula": selectors.WEIGHT_FORMULA,
    }, status=400 if form.errors else 200)


@login_required
def draw_detail(request, pk: int):
    draw = _or_404(selectors.draw_get(user=request.user, pk=pk))
    candidates = list(selectors.draw_candidates(draw=draw, user=request.user))
    for candidate in candidates:
        candidate.signal_values = [candidate.signals.get(key, 0) for key in selectors.SIGNAL_LABELS]
    return render(request, "inspections/draw_detail.html", {
        "draw": draw, "selected": [c for c in candidates if c.position], "others": [c for c in candidates if not c.position],
        "labels": selectors.SIGNAL_LABELS, "can_record": can(request.user, "spot_check.record"),
    })
