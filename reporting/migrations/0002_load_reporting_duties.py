from django.db import migrations


def load(apps, schema_editor):
    from reporting.duties import load_duties

    load_duties(apps.get_model("reporting", "ReportingDuty"))


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_reporting_duties_unit_reports_stored_reports")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
