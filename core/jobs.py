"""Import jobs (导入任务): a large upload is not imported in the request. The view stores the file
with `job_create`, which enqueues `core.tasks.import_job_run` once the job row is committed; the
task claims the job with a conditional update (a second delivery finds it taken and does
nothing), runs the runner its app registered for the job's kind, and writes progress every
PROGRESS_EVERY rows. The page /jobs/<id>/ polls /jobs/<id>/status/ (static/js/import-job.js) and,
once the job is done, goes on to the runner's `next` page, which shows the same preview or result
the synchronous path shows; a failed job shows its Chinese message.

A runner is `runner(*, job, data, progress) -> dict`: `data` is the uploaded file's bytes (None
for a job without a file), `progress(done, total)` may be called on every row; the dict it
returns is kept as the job's result (JSON) and may name the page to go on to (`next`). A
DomainError fails the job with its message."""

import logging
import threading
from collections.abc import Callable
from datetime import timedelta

from celery import current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connections, transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .errors import DomainError
from .models import ImportJob

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 500
#: the task's limits; a job still 处理中 after the hard limit was lost with its worker
SOFT_TIME_LIMIT = 25 * 60
TIME_LIMIT = 30 * 60
UNEXPECTED = "导入时发生意外错误，请稍后重试；如果仍然失败，请联系管理员。"
TIMED_OUT = f"导入超过 {SOFT_TIME_LIMIT // 60} 分钟仍未完成，已停止，请拆分文件后再导入。"

Runner = Callable[..., dict]
_RUNNERS: dict[str, Runner] = {}


def runner(kind: str):
    """Registers the function that runs jobs of `kind` (modules imported by their AppConfig.ready)."""

    def register(function: Runner) -> Runner:
        _RUNNERS[kind] = function
        return function

    return register


def goes_to_background(size: int) -> bool:
    """Whether an upload of `size` bytes is imported by a job rather than in the request."""
    return size > settings.IMPORT_BACKGROUND_BYTES


def job_done_or_404(*, user, pk, kinds: list[str], **filters) -> ImportJob:
    """A finished job of `user` (its owner) for the page its runner named; 404 for anyone else's."""
    if not str(pk).isdigit():
        raise Http404
    jobs = ImportJob.objects.visible_to(user).filter(kind__in=kinds, state=ImportJob.State.DONE, **filters)
    return get_object_or_404(jobs, pk=pk)


def job_create(*, owner, kind: str, data: bytes | None, file_name: str, options: dict | None = None) -> ImportJob:
    """A queued job, enqueued once it is committed."""
    if kind not in _RUNNERS:
        raise ValueError(kind)
    with transaction.atomic():
        job = ImportJob(owner=owner, kind=kind, file_name=str(file_name)[:200], options=options or {})
        if data is not None:
            job.file.save(job.file_name or "导入文件", ContentFile(data), save=False)
        job.save()
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # No broker (REDIS_URL unset, `make run`'s embedded default): eager mode would run the task
        # inside this request. A daemon thread runs the same function, so the request returns at
        # once and the page polls as it would with a worker; a job whose process stops with it
        # stays 处理中 until a later run takes it over (job_run).
        threading.Thread(target=_run_in_thread, args=(job_id,), name=f"import-job-{job_id}", daemon=True).start()
    else:
        current_app.send_task("core.tasks.import_job_run", args=[job_id])


def _run_in_thread(job_id: int) -> None:
    try:
        job_run(job_id)
    finally:
        connections.close_all()


class Progress:
    """`progress(done, total)`: written to the job every PROGRESS_EVERY rows and at the end."""

    def __init__(self, job_id: int):
        self.job_id, self.written, self.done, self.total = job_id, -PROGRESS_EVERY, 0, 0

    def __call__(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        if done - self.written >= PROGRESS_EVERY or done >= total:
            self.written = done
            ImportJob.objects.filter(pk=self.job_id).update(rows_done=done, rows_total=total)


def job_run(job_id: int) -> None:
    """Runs a queued job once. Claimed by a conditional update: a second delivery of the task
    finds it taken and returns; a job left 处理中 past the time limit (its worker died) is taken
    over."""
    now = timezone.now()
    lost = Q(state=ImportJob.State.RUNNING, started_at__lt=now - timedelta(seconds=TIME_LIMIT))
    claimed = ImportJob.objects.filter(Q(state=ImportJob.State.QUEUED) | lost, pk=job_id).update(
        state=ImportJob.State.RUNNING, started_at=now, rows_done=0)
    if not claimed:
        return
    job = ImportJob.objects.select_related("owner").get(pk=job_id)
    progress = Progress(job_id)
    try:
        data = None
        if job.file:
            with job.file.open("rb") as handle:
                data = handle.read()
        result = _RUNNERS[job.kind](job=job, data=data, progress=progress)
    except DomainError as exc:
        _finish(job, state=ImportJob.State.FAILED, error=exc.message)
    except SoftTimeLimitExceeded:
        _finish(job, state=ImportJob.State.FAILED, error=TIMED_OUT)
    except Exception:
        logger.exception("import job %s (%s) failed", job_id, job.kind)
        _finish(job, state=ImportJob.State.FAILED, error=UNEXPECTED)
    else:
        _finish(job, state=ImportJob.State.DONE, result=result or {}, rows=progress.total)


def _finish(job: ImportJob, *, state: str, result: dict | None = None, error: str = "", rows: int = 0) -> None:
    updates = {"state": state, "finished_at": timezone.now(), "result": result or {}, "error_message": error[:1000]}
    if rows:
        updates.update(rows_done=rows, rows_total=rows)
    ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.RUNNING).update(**updates)
    if job.file:  # the runner keeps what the next step needs; the upload itself is not kept
        job.file.delete(save=False)
        ImportJob.objects.filter(pk=job.pk).update(file="")
