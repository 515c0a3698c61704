"""The public form benchmark's baseline (bench/baseline.py): one plain row per accepted submission.

Installed only by bench/settings_gunicorn.py; the table is created by bench/run.py
(`baseline_table_ensure`), never by the product's migrations."""

from django.db import models


class BaselineRow(models.Model):
    description = models.TextField()
    phone = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "bench"
        db_table = "bench_baselinerow"
