"""Import jobs (core.jobs): a large upload is imported by a job, not in the request; the page polls
its progress, then shows the same preview and result as the request would; only the owner sees
it; a second run of the task does nothing; a failure shows a Chinese message."""

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import F

from complaints import import_views, importer
from complaints.models import Complaint
from core import jobs
from core.models import ImportJob
from tests.complaints.factories import xlsx
from tests.complaints.test_import import _clean_rows
from tests.conftest import login


@jobs.runner("tests.count")
def count_rows(*, job, data, progress):
    """Counts to the number in the job's options, reading its own progress back as it goes."""
    total, seen = job.options["rows"], []
    for done in range(1, total + 1):
        progress(done, total)
        if done % 400 == 0:
            seen.append(ImportJob.objects.values_list("rows_done", flat=True).get(pk=job.pk))
    return {"seen": seen}


@jobs.runner("tests.crash")
def crash(*, job, data, progress):
    raise RuntimeError("a bug")


@pytest.fixture
def large(settings):
    """Every upload counts as large."""
    settings.IMPORT_BACKGROUND_BYTES = 100


def _snapshot():
    return sorted(Complaint.objects.annotate(estate_label=F("estate__name"), category_code=F("category__code")).values_list(
        "reference", "estate_label", "category_code", "status", "received_at", "deadline", "complainant_name", "phone_hash",
        "case__estate_id", "case__category_id", "case__complainant_count"))


def _upload(client, data=None):
    return client.post("/complaints/import/", {"file": SimpleUploadedFile("工单.xlsx", data or xlsx(_clean_rows()))})


def test_it_works(client, estates, county_user, large, django_capture_on_commit_callbacks):
    with transaction.atomic():  # the synchronous path, for comparison, rolled back
        importer.import_12345(xlsx(_clean_rows()), user=county_user)
        expected = _snapshot()
        transaction.set_rollback(True)
    assert len(expected) == 5 and not Complaint.objects.exists()

    login(client, county_user)
    with django_capture_on_commit_callbacks() as enqueued:
        response = _upload(client)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert len(enqueued) == 1 and job.state == ImportJob.State.QUEUED and job.owner == county_user
    assert job.file_name == "工单.xlsx" and job.file.name.startswith("imports/")
    page = client.get(f"/jobs/{job.pk}/")
    assert page.status_code == 200 and "排队中" in page.content.decode() and "import-job.js" in page.content.decode()
    assert client.get(f"/jobs/{job.pk}/status/").json()["state"] == "queued"

    jobs.job_run(job.pk)
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE and job.rows_done == job.rows_total == 6 and not job.file
    assert client.get(f"/jobs/{job.pk}/status/").json() == {
        "state": "done", "state_label": "完成", "finished": True, "rows_done": 6, "rows_total": 6, "percent": 100,
        "error": "",
    }
    response = client.get(f"/jobs/{job.pk}/", follow=True)
    assert response.redirect_chain == [(f"/complaints/import/?job={job.pk}", 302)]
    body = response.content.decode()
    assert "确认导入 5 件" in body and "查无此苑" in body and not Complaint.objects.exists()

    with django_capture_on_commit_callbacks() as enqueued:
        response = client.post("/complaints/import/confirm/")
    second = ImportJob.objects.exclude(pk=job.pk).get()
    assert response["Location"] == f"/jobs/{second.pk}/" and len(enqueued) == 1 and not Complaint.objects.exists()
    jobs.job_run(second.pk)
    jobs.job_run(second.pk)  # a second delivery finds the job taken
    assert _snapshot() == expected
    response = client.get(f"/jobs/{second.pk}/", follow=True)
    assert response.redirect_chain[-1][0] == "/complaints/?status=pending_estate"
    assert "导入完成：新增 5 件（其中 1 件待匹配小区），跳过重复 1 件" in response.content.decode()
    assert "complaints_import" not in client.session


def test_it_validates_ownership(client, estates, county_user, town_user, large, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        _upload(login(client, county_user))
    job = ImportJob.objects.get()
    jobs.job_run(job.pk)
    login(client, town_user)
    for path in (f"/jobs/{job.pk}/", f"/jobs/{job.pk}/status/", f"/complaints/import/?job={job.pk}",
                 "/complaints/import/?job=1%20OR%201"):
        assert client.get(path).status_code == 404, path
    client.logout()
    assert client.get(f"/jobs/{job.pk}/status/").status_code == 302


def test_small_files_stay_in_the_request(client, estates, county_user):
    response = _upload(login(client, county_user))
    assert response.status_code == 200 and "确认导入 5 件" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_failed_job_shows_its_chinese_message(client, estates, county_user, large, django_capture_on_commit_callbacks):
    login(client, county_user)
    with django_capture_on_commit_callbacks():
        _upload(client, b"<script>alert(1)</script>" * 10)
    job = ImportJob.objects.get()
    jobs.job_run(job.pk)
    job.refresh_from_db()
    assert job.state == ImportJob.State.FAILED and "没有找到表头" in job.error_message
    page = client.get(f"/jobs/{job.pk}/")
    body = page.content.decode()
    assert page.status_code == 200 and "导入失败" in body and "没有找到表头" in body and "返回导入页" in body
    assert client.get(f"/jobs/{job.pk}/status/").json()["state_label"] == "失败"


def test_an_unexpected_error_fails_the_job_with_a_chinese_message(county_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        job = jobs.job_create(owner=county_user, kind="tests.crash", data=b"x", file_name="a.xlsx")
    jobs.job_run(job.pk)
    job.refresh_from_db()
    assert job.state == ImportJob.State.FAILED and job.error_message == jobs.UNEXPECTED and "a bug" not in job.error_message


def test_progress_moves(county_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        job = jobs.job_create(owner=county_user, kind="tests.count", data=None, file_name="", options={"rows": 1300})
    jobs.job_run(job.pk)
    job.refresh_from_db()
    assert job.result == {"seen": [1, 501, 1001]} and job.rows_done == job.rows_total == 1300 and job.percent == 100


def test_a_job_is_run_once_and_a_lost_one_is_taken_over(county_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        job = jobs.job_create(owner=county_user, kind="tests.count", data=None, file_name="", options={"rows": 3})
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.RUNNING, started_at=job.created_at)
    jobs.job_run(job.pk)  # another worker has it
    assert ImportJob.objects.get(pk=job.pk).state == ImportJob.State.RUNNING
    ImportJob.objects.filter(pk=job.pk).update(started_at=job.created_at - jobs.timedelta(seconds=jobs.TIME_LIMIT + 1))
    jobs.job_run(job.pk)  # its worker died: taken over
    assert ImportJob.objects.get(pk=job.pk).state == ImportJob.State.DONE


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_a_thread_runs_the_job_once_it_is_committed(reference_data, estates, county_user, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # as with REDIS_URL unset
    job = jobs.job_create(owner=county_user, kind=import_views.PREVIEW_JOB, data=xlsx(_clean_rows()),
                          file_name="工单.xlsx")
    # waits for the thread itself: the in-memory test database is shared by table locks, not WAL
    thread = next(t for t in threading.enumerate() if t.name == f"import-job-{job.pk}")
    assert thread.daemon
    thread.join(timeout=60)
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE and job.rows_total == 6 and job.result["counts"]["new"] == 5
    assert not Complaint.objects.exists()
