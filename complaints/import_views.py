"""The staff page of the 12345 import: upload → preview → confirm. The file waits in private
storage between the two steps, under a random name kept in the session, with the rows the
preview parsed beside it (importer.dump_rows): the confirm step checks every row again but does
not parse the file a second time (it does when the parsed rows are missing or unreadable)."""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.errors import DomainError, PermissionDenied

from . import importer, privacy
from .forms import ImportUploadForm
from .models import private_storage

SESSION_KEY = "complaints_import"
MAX_IMPORT_BYTES = 20 * 1024 * 1024


def _require_importer(user):
    if user.is_read_only or not (user.sees_everything or user.role in privacy.HANDLING_ROLES):
        raise PermissionDenied("您的角色不能导入工单。")


def keep(data: bytes, result: importer.Preview) -> dict:
    """Stores the previewed file and its parsed rows; returns what the session keeps of them."""
    token = secrets.token_hex(16)
    path = private_storage.save(f"imports/{token}.xlsx", ContentFile(data))
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


@login_required
def import_upload(request):
    _require_importer(request.user)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    context, status = {"form": form}, 200
    if request.method == "POST":
        if not form.is_valid():
            status = 400
        else:
            upload = form.cleaned_data["file"]
            try:
                if upload.size > MAX_IMPORT_BYTES:
                    raise importer.ImportRefused("文件超过 20MB，请拆分后再导入。")
                data = upload.read()
                if not data.startswith(b"PK"):
                    raise importer.ImportRefused("该文件不是 .xlsx 文件（按内容识别），请上传 12345 平台导出的 Excel 文件。")
                result = importer.preview(data, user=request.user)
            except DomainError as exc:
                form.add_error("file", exc.message)
                status = exc.status_code
            else:
                discard(request.session.get(SESSION_KEY))
                request.session[SESSION_KEY] = {**keep(data, result), "name": upload.name[:200]}
                context.update({"result": result, "file_name": upload.name, "rows": result.rows_for_display()})
    return render(request, "complaints/import.html", context, status=status)


@login_required
@require_POST
def import_confirm(request):
    _require_importer(request.user)
    pending = request.session.get(SESSION_KEY)
    if not pending or not private_storage.exists(pending["path"]):
        messages.error(request, "导入文件已过期，请重新上传。")
        return redirect("complaints:import")
    try:
        result = importer.import_12345(pending_rows(pending), user=request.user)
    except DomainError as exc:
        return render(request, "complaints/import.html", {
            "form": ImportUploadForm(), "error": exc.message,
        }, status=exc.status_code)
    discard(pending)
    del request.session[SESSION_KEY]
    unmatched = len(result.unmatched)
    messages.success(
        request,
        f"导入完成：新增 {result.new} 件（其中 {unmatched} 件待匹配小区），跳过重复 {result.duplicates} 件。",
    )
    if unmatched:
        return redirect("/complaints/?status=pending_estate")
    return redirect("complaints:list")
