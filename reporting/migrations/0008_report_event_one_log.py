"""One report log: the rows of UnitReportEvent and EnterpriseReportEvent move into ReportEvent
(one audit shape, core.audit.Event), with the kind of step read from the state it led to."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


KIND_OF_STATE = {"submitted": "submit", "accepted": "accept", "returned": "return"}
STATE_OF_KIND = {kind: state for state, kind in KIND_OF_STATE.items()}


def copy_into_report_event(apps, schema_editor):
    ReportEvent = apps.get_model("reporting", "ReportEvent")
    for old_model, owner in (("UnitReportEvent", "unit_report_id"), ("EnterpriseReportEvent", "enterprise_report_id")):
        rows = apps.get_model("reporting", old_model).objects.order_by("at", "id")
        batch = []
        for row in rows.iterator(chunk_size=2000):
            batch.append(ReportEvent(
                **{owner: row.report_id}, actor_id=row.actor_id, at=row.at, kind=KIND_OF_STATE.get(row.to_status, "submit"),
                from_state=row.from_status, to_state=row.to_status, note=row.note,
            ))
            if len(batch) == 2000:
                ReportEvent.objects.bulk_create(batch)
                batch = []
        ReportEvent.objects.bulk_create(batch)


def copy_back(apps, schema_editor):
    ReportEvent = apps.get_model("reporting", "ReportEvent")
    for old_model, owner in (("UnitReportEvent", "unit_report_id"), ("EnterpriseReportEvent", "enterprise_report_id")):
        model = apps.get_model("reporting", old_model)
        model.objects.bulk_create(
            model(report_id=getattr(row, owner), actor_id=row.actor_id, at=row.at, from_status=row.from_state,
                  to_status=row.to_state, note=row.note)
            for row in ReportEvent.objects.filter(**{f"{owner}__isnull": False}).order_by("at", "id")
        )


class Migration(migrations.Migration):

    dependencies = [
        ('reporting', '0007_casemonthlysummary_casemonthlyfigure'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ReportEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='时间')),
                ('note', models.TextField(blank=True, verbose_name='说明')),
                ('data', models.JSONField(blank=True, default=dict, verbose_name='数据')),
                ('kind', models.CharField(choices=[('submit', '报送'), ('accept', '采纳'), ('return', '退回')], max_length=30, verbose_name='类型')),
                ('from_state', models.CharField(blank=True, choices=[('draft', '草稿'), ('submitted', '已报送'), ('accepted', '已采纳'), ('returned', '已退回')], max_length=30, verbose_name='原状态')),
                ('to_state', models.CharField(choices=[('draft', '草稿'), ('submitted', '已报送'), ('accepted', '已采纳'), ('returned', '已退回')], max_length=30, verbose_name='新状态')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='操作人')),
                ('enterprise_report', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='events', to='reporting.enterprisereport', verbose_name='企业报送')),
                ('unit_report', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='events', to='reporting.unitreport', verbose_name='单位报送')),
            ],
            options={
                'verbose_name': '报送记录',
                'verbose_name_plural': '报送记录',
                'ordering': ['at', 'id'],
            },
        ),
        migrations.AddConstraint(
            model_name='reportevent',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('enterprise_report__isnull', True), ('unit_report__isnull', False)), models.Q(('enterprise_report__isnull', False), ('unit_report__isnull', True)), _connector='OR'), name='report_event_one_report', violation_error_message='报送记录须且只能属于一份报送。'),
        ),
        migrations.RunPython(copy_into_report_event, copy_back, elidable=False),
        migrations.DeleteModel(
            name='EnterpriseReportEvent',
        ),
        migrations.DeleteModel(
            name='UnitReportEvent',
        ),
    ]
