# The timeline's own index (case_event_case_kind) starts with the case: the foreign key's index beside
# it was a second copy of the same column that every event written had to update. Only the index
# goes: the foreign key constraint stays as it is (AlterField would drop it and check every event
# again to add it back).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('rectification', '0010_case_subject'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='caseevent',
                    name='case',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='events', to='rectification.case', verbose_name='案件'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "rectification_caseevent_case_id_802b7f36"',
                    reverse_sql='CREATE INDEX "rectification_caseevent_case_id_802b7f36" ON "rectification_caseevent" ("case_id")',
                ),
            ],
        ),
    ]
