"""The page of an import job (core.jobs) and the state it polls. Only the job's owner sees
either (404 for anyone else)."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render

from .models import ImportJob


def _job(request, pk: int) -> ImportJob:
    return get_object_or_404(ImportJob.objects.visible_to(request.user), pk=pk)


@login_required
def import_job_detail(request, pk: int):
    """The progress bar while the job runs; once done, the page its runner named (the preview or
    the result); a failed job's Chinese message."""
    job = _job(request, pk)
    if job.state == ImportJob.State.DONE and job.result.get("next"):
        return redirect(job.result["next"])
    return render(request, "core/import_job.html", {"job": job, "back": job.options.get("back", "")})


@login_required
def import_job_status(request, pk: int):
    job = _job(request, pk)
    return JsonResponse({
        "state": job.state, "state_label": job.get_state_display(), "finished": job.finished,
        "rows_done": job.rows_done, "rows_total": job.rows_total, "percent": job.percent,
        "error": job.error_message,
    }, headers={"Cache-Control": "no-store"})
