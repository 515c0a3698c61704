"""Case evidence and supervision documents stored under MEDIA_ROOT with the user's file name move
into the private store under random names (core.files.move_into_private_store: idempotent; a
missing file is logged and its row left as it is)."""

from django.db import migrations

from core.files import move_into_private_store


def move_files(apps, schema_editor):
    move_into_private_store(apps.get_model("rectification", "CaseAttachment"), field="file", app="rectification",
                            name_field="original_name")
    action = apps.get_model("rectification", "SupervisionAction")
    move_into_private_store(action, field="minutes_file", app="rectification", name_field="minutes_file_name")
    move_into_private_store(action, field="receipt_file", app="rectification", name_field="receipt_file_name")


class Migration(migrations.Migration):
    # each row is committed as it moves: files are not transactional, and a failure half-way
    # must not roll back rows whose old copies are already gone
    atomic = False

    dependencies = [
        ("rectification", "0005_case_files_private_store"),
    ]

    operations = [
        migrations.RunPython(move_files, migrations.RunPython.noop, elidable=True),
    ]
