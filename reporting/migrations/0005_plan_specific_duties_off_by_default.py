from django.db import migrations

PLAN_SPECIFIC = ["county-statistics", "county-quarterly", "county-weekly"]


def switch_off(apps, schema_editor):
    duty = apps.get_model("reporting", "ReportingDuty")
    duty.objects.filter(region__isnull=True, code__in=PLAN_SPECIFIC).update(is_active=False)


class Migration(migrations.Migration):
    dependencies = [("reporting", "0004_stored_report_job_id")]

    operations = [migrations.RunPython(switch_off, migrations.RunPython.noop)]
