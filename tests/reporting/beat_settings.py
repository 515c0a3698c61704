"""Settings for the beat and worker subprocesses of test_beat_worker: the project's settings with
the reporting beat entry set to fire every minute, on a queue of the test's own."""

import os

from celery.schedules import crontab

from config.settings.dev import *  # noqa: F403
from config.settings.dev import CELERY_BEAT_SCHEDULE

CELERY_BEAT_SCHEDULE = {
    name: {**entry, "schedule": crontab()}
    for name, entry in CELERY_BEAT_SCHEDULE.items()
    if name == "reporting-build-due-county-reports"
}
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TEST_QUEUE", "celery")
# every task on the test's queue: the production routes (reports / imports / default) would send
# the beat's task where the test's worker does not listen
CELERY_TASK_ROUTES: dict = {}
