from django.db import migrations


def committees_from_estates(apps, schema_editor):
    """The committee register becomes the one source of an estate's owners' body: every estate
    recorded with a committee (业委会 or 物管会) gets its register row, with the term end and the
    party organisation the estate had, so the register and the estate agree from the start."""
    Estate = apps.get_model("communities", "Estate")
    OwnersCommittee = apps.get_model("subjects", "OwnersCommittee")
    kinds = {"committee": "owners_committee", "management_committee": "management_committee"}
    rows = [
        OwnersCommittee(estate_id=pk, kind=kinds[status], term_end=term_end, has_party_organisation=party, is_current=True)
        for pk, status, term_end, party in Estate.objects.filter(owners_body_status__in=list(kinds))
        .exclude(owners_committees__is_current=True)
        .values_list("pk", "owners_body_status", "owners_body_term_end", "has_party_organisation")
    ]
    OwnersCommittee.objects.bulk_create(rows, batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("subjects", "0001_registers_and_targets")]

    operations = [migrations.RunPython(committees_from_estates, migrations.RunPython.noop)]
