from django.db import migrations, models


def forwards(apps, schema_editor):
    from campaigns.taxonomy import CORRECTED_SOURCES, DEFAULT_SUBJECTS, load_taxonomy

    ProblemCategory = apps.get_model("campaigns", "ProblemCategory")
    load_taxonomy(ProblemCategory)
    for letter, subject in DEFAULT_SUBJECTS.items():
        ProblemCategory.objects.filter(code__startswith=letter).update(default_subject=subject)
    for code, (plans, description) in CORRECTED_SOURCES.items():
        ProblemCategory.objects.filter(code=code).update(seed_plans=plans, description=description)


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0003_load_problem_taxonomy")]

    operations = [
        migrations.AddField(
            model_name="problemcategory",
            name="default_subject",
            field=models.CharField(
                choices=[("enterprise", "物业服务企业"), ("developer", "建设单位"),
                         ("committee", "业主委员会（物业管理委员会）"), ("government", "政府部门或镇（街道）、社区")],
                default="enterprise", help_text="登记案件时的责任主体，县专班可在案件页变更。", max_length=20,
                verbose_name="默认责任主体",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
