"""The staff page of the 12345 import: upload → preview (with a chooser for the platform
categories no rule maps) → confirm, all rows or only the valid ones; the rows to fix download as
an .xlsx with a reason column. The file waits in private storage between the steps, under a
random name kept in the session, with the rows the preview parsed beside it
(importer.dump_rows): the confirm step checks every row again but does not parse the file a
second time (it does when the parsed rows are missing or unreadable).

A file above IMPORT_BACKGROUND_BYTES is previewed, and later imported, by an import job
(core.jobs) while the page shows the progress; the job then leads back here (`?job=`), to the
same preview or the same message as the request would have given."""

import secrets
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.capabilities import require
from campaigns.selectors import leaf_categories
from core import jobs, spreadsheets
from core.errors import DomainError, NotFound
from core.models import ImportJob
from core.spreadsheets import MAX_FILE_BYTES
from core.xlsx import XLSX_CONTENT_TYPE

from . import importer
from .forms import ImportUploadForm
from .models import private_storage

PREVIEW_JOB = "complaints.12345_preview"
IMPORT_JOB = "complaints.12345_import"
SESSION_KEY = "complaints_import"
ERRORS_KEY = "complaints_import_errors"
MAX_IMPORT_BYTES = MAX_FILE_BYTES


def keep(data: bytes, result: importer.Preview) -> dict:
    """Stores the previewed file and its parsed rows; returns what the session keeps of them."""
    token = secrets.token_hex(16)
    path = private_storage.save(f"imports/{token}.upload", ContentFile(data))
    rows_path = private_storage.save(f"imports/{token}.rows.json", ContentFile(importer.dump_rows(result)))
    return {"path": path, "rows_path": rows_path, "sha256": result.sha256, "bytes": len(data)}


def pending_rows(pending: dict):
    """The rows of the previewed file: those the preview parsed, else the file to parse again."""
    rows_path = pending.get("rows_path")
    if rows_path and private_storage.exists(rows_path):
        with private_storage.open(rows_path, "rb") as handle:
            rows = importer.load_rows(handle.read(), sha256=pending.get("sha256", ""))
        if rows is not None:
            return rows
    with private_storage.open(pending["path"], "rb") as handle:
        return handle.read()


def discard(pending: dict | None) -> None:
    for key in ("path", "rows_path"):
        if pending and pending.get(key):
            private_storage.delete(pending[key])


def _error_rows(result: importer.Preview, file_name: str) -> dict | None:
    """The rows to fix stored as the .xlsx the user downloads; what the session keeps of it."""
    if not result.rejected:
        return None
    path = private_storage.save(f"imports/{secrets.token_hex(16)}.errors.xlsx",
                                ContentFile(importer.error_rows_xlsx(result)))
    return {"path": path, "name": file_name, "rows": len(result.rejected)}


def _set_error_rows(request, kept: dict | None) -> None:
    previous = request.session.pop(ERRORS_KEY, None)
    if previous and previous.get("path") and previous != kept:
        private_storage.delete(previous["path"])
    if kept:
        request.session[ERRORS_KEY] = kept


def _keep_error_rows(request, result: importer.Preview, file_name: str) -> None:
    """The rows to fix, as the .xlsx the user downloads (before or after the confirm step)."""
    _set_error_rows(request, _error_rows(result, file_name))


def _context(result: importer.Preview, file_name: str) -> dict:
    return {
        "result": result, "file_name": file_name, "rows": result.rows_for_display(),
        "unmapped": result.unmapped_categories(), "categories": leaf_categories(),
    }


@login_required
def import_upload(request):
    require(request.user, "import.12345")
    if request.method == "GET" and request.GET.get("job"):
        return _job_finished(request)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    context, status = {"form": form}, 200
    if request.method == "POST":
        if not form.is_valid():
            status = 400
        else:
            upload = form.cleaned_data["file"]
            try:
                if upload.size > MAX_IMPORT_BYTES:
                    raise importer.ImportRefused(f"文件超过 {MAX_IMPORT_BYTES // (1024 * 1024)}MB，请拆分后再导入。")
                data = upload.read()
                if jobs.goes_to_background(len(data)):
                    spreadsheets.check_file(data, filename=upload.name, max_rows=importer.MAX_ROWS)  # a bomb: 400 now
                    job = jobs.job_create(owner=request.user, kind=PREVIEW_JOB, data=data, file_name=upload.name,
                                          options={"back": reverse("complaints:import")})
                    return redirect("import-job", pk=job.pk)
                result = importer.preview(data, user=request.user, filename=upload.name)
            except DomainError as exc:
                form.add_error("file", exc.message)
                status = exc.status_code
            else:
                discard(request.session.get(SESSION_KEY))
                request.session[SESSION_KEY] = {**keep(data, result), "name": upload.name[:200]}
                _keep_error_rows(request, result, upload.name[:200])
                context.update(_context(result, upload.name))
    return render(request, "complaints/import.html", context, status=status)


def _category_choices(answers, rows, *, user) -> dict:
    """The chooser's answers (the confirm form's fields): {platform category: ProblemCategory} for
    each one answered. The rows are checked for their unmapped categories only when the chooser
    was answered: otherwise import_12345's own check of every row is the only one."""
    if not any(value for key, value in answers.items() if key.startswith("map_")):
        return {}
    leaves = {str(c.pk): c for c in leaf_categories()}
    choices = {}
    for entry in importer.preview(rows, user=user).unmapped_categories():
        value = answers.get(entry["key"], "")
        if value:
            if value not in leaves:
                raise importer.ImportRefused(f"“{entry['raw']}”选择的整治内容无效，请重新选择。")
            choices[entry["raw"]] = leaves[value]
    return choices


@login_required
@require_POST
def import_confirm(request):
    require(request.user, "import.12345")
    pending = request.session.get(SESSION_KEY)
    if not pending or not private_storage.exists(pending["path"]):
        messages.error(request, "导入文件已过期，请重新上传。")
        return redirect("complaints:import")
    valid_only = request.POST.get("valid_only") == "1"
    if jobs.goes_to_background(pending.get("bytes", 0)):
        answers = {key: value for key, value in request.POST.items() if key.startswith("map_")}
        back = reverse("complaints:import") + (f"?job={pending['job']}" if pending.get("job") else "")
        job = jobs.job_create(owner=request.user, kind=IMPORT_JOB, data=None, file_name=pending.get("name", ""),
                              options={"pending": pending, "valid_only": valid_only, "answers": answers, "back": back})
        return redirect("import-job", pk=job.pk)
    rows = pending_rows(pending)
    try:
        choices = _category_choices(request.POST, rows, user=request.user)
        result = importer.import_12345(rows, user=request.user, valid_only=valid_only, category_choices=choices)
    except DomainError as exc:
        try:
            again = importer.preview(rows, user=request.user)
        except DomainError:
            again = None
        context = {"form": ImportUploadForm(), "error": exc.message}
        if again is not None:
            context.update(_context(again, pending.get("name", "")))
        return render(request, "complaints/import.html", context, status=exc.status_code)
    discard(pending)
    del request.session[SESSION_KEY]
    _keep_error_rows(request, result, pending.get("name", ""))
    done = _imported(result)
    messages.success(request, done["message"])
    return redirect(done["next"])


def _imported(result: importer.Preview) -> dict:
    """The message after an import and the page to go on to."""
    unmatched = len(result.unmatched)
    left = len(result.rejected)
    message = (
        f"导入完成：新增 {result.imported} 件（其中 {unmatched} 件待匹配小区），跳过重复 {result.duplicates} 件"
        + (f"，合计/说明行 {result.skipped} 行" if result.skipped else "")
        + (f"，不在本辖区 {result.out_of_scope} 件" if result.out_of_scope else "")
        + (f"；{left} 行未导入，可在导入页下载“待修正工单”修正后再导入。" if left else "。")
    )
    if left:
        return {"message": message, "next": reverse("complaints:import")}
    if unmatched:
        return {"message": message, "next": "/complaints/?status=pending_estate"}
    return {"message": message, "next": reverse("complaints:list")}


# ---------------------------------------------------------------------------------------------
# Large files: the same two steps as import jobs


@jobs.runner(PREVIEW_JOB)
def preview_job(*, job: ImportJob, data: bytes, progress) -> dict:
    result = importer.preview(data, user=job.owner, filename=job.file_name, progress=progress)
    pending = {**keep(data, result), "name": job.file_name}
    return {"pending": pending, "counts": result.counts(), "next": f"{reverse('complaints:import')}?job={job.pk}"}


@jobs.runner(IMPORT_JOB)
def import_job(*, job: ImportJob, data: None, progress) -> dict:
    pending = job.options["pending"]
    if not private_storage.exists(pending["path"]):
        raise importer.ImportRefused("导入文件已过期，请重新上传。")
    rows = pending_rows(pending)
    choices = _category_choices(job.options.get("answers", {}), rows, user=job.owner)
    result = importer.import_12345(rows, user=job.owner, valid_only=job.options.get("valid_only", False),
                                   category_choices=choices, progress=progress)
    discard(pending)
    done = _imported(result)
    # the job's page leads here (`next`), which shows the message, then goes on (`then`)
    return {"message": done["message"], "then": done["next"], "next": f"{reverse('complaints:import')}?job={job.pk}",
            "counts": result.counts(), "errors": _error_rows(result, pending.get("name", "")),
            "pending_path": pending["path"]}


def _job_finished(request):
    """Where a finished job leads: the preview of a large file, or the message of its import."""
    job = jobs.job_done_or_404(user=request.user, pk=request.GET["job"], kinds=[PREVIEW_JOB, IMPORT_JOB])
    if job.kind == IMPORT_JOB:
        pending = request.session.get(SESSION_KEY)
        if pending and pending.get("path") == job.result.get("pending_path"):
            del request.session[SESSION_KEY]
        _set_error_rows(request, job.result.get("errors"))
        messages.success(request, job.result["message"])
        return redirect(job.result["then"])
    pending = job.result["pending"]
    if not private_storage.exists(pending["path"]):
        messages.error(request, "导入文件已过期，请重新上传。")
        return redirect("complaints:import")
    current = request.session.get(SESSION_KEY)
    if not current or current.get("path") != pending["path"]:
        discard(current)
        request.session[SESSION_KEY] = {**pending, "job": job.pk}
    result = importer.preview(pending_rows(pending), user=request.user)
    _keep_error_rows(request, result, pending["name"])
    context = {"form": ImportUploadForm(), **_context(result, pending["name"])}
    return render(request, "complaints/import.html", context)


@login_required
def import_error_rows(request):
    """The rows to fix of the last preview or import, with a 错误原因 column."""
    require(request.user, "import.12345")
    kept = request.session.get(ERRORS_KEY)
    if not kept or not private_storage.exists(kept["path"]):
        raise NotFound("没有待修正的工单，请重新上传文件预览。")
    with private_storage.open(kept["path"], "rb") as handle:
        response = HttpResponse(handle.read(), content_type=XLSX_CONTENT_TYPE)
    name = f"待修正工单-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response

