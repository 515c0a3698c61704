from django.db import migrations


def load(apps, schema_editor):
    from campaigns.taxonomy import load_taxonomy

    load_taxonomy(apps.get_model("campaigns", "ProblemCategory"))


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0002_campaign_links")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
