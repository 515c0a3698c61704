# Indexes a complaint pays for on every insert (a 12345 import writes 50,000 at once), kept to what
# is looked up:
# - satisfaction, rated_by and replied_by are searched only for a value (one satisfaction; a user
#   whose deletion PROTECT checks), so their indexes hold only the rows that have one: partial
#   indexes, which new complaints never enter;
# - the varchar_pattern_ops twins PostgreSQL's backend adds beside an indexed CharField serve LIKE
#   'prefix%' only, which no query runs on a channel, a status, a satisfaction, a phone digest or
#   a 查询码 (each is matched whole; the plain or unique index answers that).
# Only indexes change: the foreign key constraints stay as they are (AlterField would drop them and
# check every row again to add them back).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

#: the plain indexes the partial ones replace, named as Django named them, and their columns
PLAIN = {
    "complaints_complaint_rated_by_id_383cc1ab": "rated_by_id",
    "complaints_complaint_replied_by_id_a9194e88": "replied_by_id",
    "complaints_complaint_satisfaction_d58b99f5": "satisfaction",
}
#: the twins, named as Django named them (table, column, hash, "_like"), and their columns
LIKE_TWINS = {
    "complaints_complaint_channel_c3e91129_like": "channel",
    "complaints_complaint_phone_hash_c792c1fb_like": "phone_hash",
    "complaints_complaint_satisfaction_d58b99f5_like": "satisfaction",
    "complaints_complaint_status_ca5f4577_like": "status",
    "complaints_complaint_tracking_code_9109a7d3_like": "tracking_code",
}


def drop_like_twins(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # only PostgreSQL's backend creates them
    for name in LIKE_TWINS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def create_like_twins(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    for name, column in LIKE_TWINS.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {quote(name)} ON complaints_complaint ({quote(column)} varchar_pattern_ops)")


class Migration(migrations.Migration):

    dependencies = [
        ('complaints', '0008_stored_file_event_shape'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='complaint',
                    name='rated_by',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='回访人'),
                ),
                migrations.AlterField(
                    model_name='complaint',
                    name='replied_by',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='反馈人'),
                ),
                migrations.AlterField(
                    model_name='complaint',
                    name='satisfaction',
                    field=models.CharField(blank=True, choices=[('satisfied', '满意'), ('basically', '基本满意'), ('unsatisfied', '不满意')], max_length=20, verbose_name='满意度'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    [f'DROP INDEX IF EXISTS "{name}"' for name in PLAIN],
                    reverse_sql=[f'CREATE INDEX "{name}" ON "complaints_complaint" ("{column}")' for name, column in PLAIN.items()],
                ),
            ],
        ),
        migrations.AddIndex(
            model_name='complaint',
            index=models.Index(condition=models.Q(('satisfaction', ''), _negated=True), fields=['satisfaction'], name='complaint_rated_satisfaction'),
        ),
        migrations.AddIndex(
            model_name='complaint',
            index=models.Index(condition=models.Q(('rated_by__isnull', False)), fields=['rated_by'], name='complaint_rated_by'),
        ),
        migrations.AddIndex(
            model_name='complaint',
            index=models.Index(condition=models.Q(('replied_by__isnull', False)), fields=['replied_by'], name='complaint_replied_by'),
        ),
        migrations.RunPython(drop_like_twins, create_like_twins),
    ]
