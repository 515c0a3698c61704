"""The default 12345 words (column synonyms, platform categories, keywords) as rows without a
county, and the complaints already waiting for their reply: those of a finished case that were
never answered become 待反馈; ratings given so far were the residents' own."""

from django.db import migrations


def forwards(apps, schema_editor):
    from complaints.vocabulary import load_defaults

    load_defaults(apps.get_model("complaints", "HotlineVocabulary"), apps.get_model("campaigns", "ProblemCategory"))
    Complaint = apps.get_model("complaints", "Complaint")
    Complaint.objects.filter(status="received", replied_at__isnull=True,
                             case__state__in=("closed", "not_true")).update(status="reply_due")
    Complaint.objects.exclude(rated_at=None).filter(rating_source="").update(rating_source="resident")


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0004_reply_due_return_call_hotline_vocabulary"),
        ("campaigns", "0003_load_problem_taxonomy"),
        ("rectification", "0003_case_closed_at_index"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
