"""The staff page of the 12345 import: upload → preview (with a chooser for the platform
categories no rule maps) → confirm, all rows or only the valid ones; the rows to fix download as
an .xlsx with a reason column. The file waits in private storage between the steps, under a
random name kept in the session, with the rows the preview parsed beside it
(importer.dump_rows): the confirm step checks every row again but does not parse the file a
second time (it does when the parsed rows are missing or unreadable)."""

import secrets
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.capabilities import require
from campaigns.selectors import leaf_categories
from core.errors import DomainError, NotFound
from core.spreadsheets import MAX_FILE_BYTES
from core.xlsx import XLSX_CONTENT_TYPE

from . import importer
from .forms import ImportUploadForm
from .models import private_storage

SESSION_KEY = "complaints_import"
ERRORS_KEY = "complaints_import_errors"
MAX_IMPORT_BYTES = MAX_FILE_BYTES


def keep(data: bytes, result: importer.Preview) -> dict:
    """Stores the previewed file and its parsed rows; returns what the session keeps of them."""
    token = secrets.token_hex(16)
    path = private_storage.save(f"imports/{token}.upload", ContentFile(data))
    rows_path = private_storage.save(f"imports/{token}.rows.json", ContentFile(importer.dump_rows(result)))
    return {"path": path, "rows_path": rows_path, "sha256": result.sha256}


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


def _keep_error_rows(request, result: importer.Preview, file_name: str) -> None:
    """The rows to fix, as the .xlsx the user downloads (before or after the confirm step)."""
    previous = request.session.pop(ERRORS_KEY, None)
    if previous and previous.get("path"):
        private_storage.delete(previous["path"])
    if result.rejected:
        path = private_storage.save(f"imports/{secrets.token_hex(16)}.errors.xlsx",
                                    ContentFile(importer.error_rows_xlsx(result)))
        request.session[ERRORS_KEY] = {"path": path, "name": file_name, "rows": len(result.rejected)}


def _context(result: importer.Preview, file_name: str) -> dict:
    return {
        "result": result, "file_name": file_name, "rows": result.rows_for_display(),
        "unmapped": result.unmapped_categories(), "categories": leaf_categories(),
    }


@login_required
def import_upload(request):
    require(request.user, "import.12345")
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


def _category_choices(request, pending_result: importer.Preview) -> dict:
    """The chooser's answers: {platform category: ProblemCategory} for each one answered."""
    leaves = {str(c.pk): c for c in leaf_categories()}
    choices = {}
    for entry in pending_result.unmapped_categories():
        value = request.POST.get(entry["key"], "")
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
    rows = pending_rows(pending)
    try:
        choices = _category_choices(request, importer.preview(rows, user=request.user))
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
    unmatched = len(result.unmatched)
    left = len(result.rejected)
    messages.success(
        request,
        f"导入完成：新增 {result.imported} 件（其中 {unmatched} 件待匹配小区），跳过重复 {result.duplicates} 件"
        + (f"，合计/说明行 {result.skipped} 行" if result.skipped else "")
        + (f"，不在本辖区 {result.out_of_scope} 件" if result.out_of_scope else "")
        + (f"；{left} 行未导入，可在导入页下载“待修正工单”修正后再导入。" if left else "。"),
    )
    if left:
        return redirect("complaints:import")
    if unmatched:
        return redirect("/complaints/?status=pending_estate")
    return redirect("complaints:list")


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

