"""`manage.py rotate_field_key`: every encrypted column moves from the old master key to the new
one, the phone lookup by keyed hash keeps working, and a second run changes nothing."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.test import override_settings

from complaints import privacy
from complaints.models import Complaint
from core import crypto
from public_revenue.services import ACCOUNT_NUMBER_PURPOSE
from tests.complaints.factories import complaint
from tests.conftest import login
from tests.public_revenue.factories import add_account

pytestmark = pytest.mark.django_db

OLD = "old-field-key-" + "o" * 40
NEW = "new-field-key-" + "n" * 40
PHONE, OTHER_PHONE, NUMBER = "13812341234", "13900005678", "6222021234567890123"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def old_rows(estates, enterprise_user):
    with override_settings(FIELD_ENCRYPTION_KEY=OLD):
        filed = [complaint(estates["haiyang_1"], phone=PHONE), complaint(estates["haiyang_1"], phone=PHONE),
                 complaint(estates["haiyang_2"], phone=OTHER_PHONE), complaint(estates["haiyang_2"], phone="")]
        account = add_account(enterprise_user, estates["haiyang_1"], number=NUMBER)
    return filed, account


def rotate(monkeypatch, *args):
    monkeypatch.setenv("FIELD_ENCRYPTION_KEY_OLD", OLD)
    out = StringIO()
    with override_settings(FIELD_ENCRYPTION_KEY=NEW):
        call_command("rotate_field_key", *args, stdout=out)
    return out.getvalue()


def test_rows_read_with_the_new_key_and_the_phone_is_still_found(monkeypatch, old_rows, client, town_user):
    filed, account = old_rows
    with override_settings(FIELD_ENCRYPTION_KEY=NEW):  # before: the new key reads nothing
        assert privacy.phone_decrypt(Complaint.objects.get(pk=filed[0].pk).phone_encrypted) == ""

    output = rotate(monkeypatch, "--batch-size", "2")

    assert "重新加密 3 条" in output and "重新加密 1 条" in output
    with override_settings(FIELD_ENCRYPTION_KEY=NEW):
        assert [privacy.phone_decrypt(c.phone_encrypted) for c in Complaint.objects.order_by("pk")] == [
            PHONE, PHONE, OTHER_PHONE, ""]
        account.refresh_from_db()
        assert crypto.decrypt(account.account_number_encrypted, purpose=ACCOUNT_NUMBER_PURPOSE) == NUMBER
        assert set(Complaint.objects.filter(phone_hash=privacy.phone_hash(PHONE)).values_list("pk", flat=True)) == {
            filed[0].pk, filed[1].pk}
        # the staff's search by number goes through the same hash
        login(client, town_user)
        body = client.get("/complaints/", {"phone": PHONE}).content.decode()
        assert f"/complaints/{filed[0].pk}/" in body and f"/complaints/{filed[2].pk}/" not in body
    with override_settings(FIELD_ENCRYPTION_KEY=OLD):  # the old key no longer opens anything
        assert privacy.phone_decrypt(Complaint.objects.get(pk=filed[0].pk).phone_encrypted) == ""


def test_a_second_run_changes_nothing(monkeypatch, old_rows):
    rotate(monkeypatch)
    before = list(Complaint.objects.order_by("pk").values_list("phone_encrypted", "phone_hash"))

    output = rotate(monkeypatch)

    assert "重新加密 0 条，已是新密钥 3 条" in output and "重新加密 0 条，已是新密钥 1 条" in output
    assert list(Complaint.objects.order_by("pk").values_list("phone_encrypted", "phone_hash")) == before


def test_a_row_neither_key_reads_is_left_and_reported(monkeypatch, old_rows):
    filed, _ = old_rows
    foreign = crypto.encrypt(PHONE, purpose=privacy.PURPOSE, master="a-third-key-" + "x" * 40)
    Complaint.objects.filter(pk=filed[2].pk).update(phone_encrypted=foreign)

    with pytest.raises(CommandError, match="1 条记录新旧密钥都无法解密"):
        rotate(monkeypatch)

    assert Complaint.objects.get(pk=filed[2].pk).phone_encrypted == foreign
    with override_settings(FIELD_ENCRYPTION_KEY=NEW):  # the others were rotated all the same
        assert privacy.phone_decrypt(Complaint.objects.get(pk=filed[0].pk).phone_encrypted) == PHONE


@pytest.mark.parametrize("old, new, message", [
    ("", NEW, "FIELD_ENCRYPTION_KEY_OLD"), (OLD, "", "新密钥"), (NEW, NEW, "新旧密钥相同"),
])
def test_both_keys_are_required_and_must_differ(monkeypatch, old, new, message):
    monkeypatch.setenv("FIELD_ENCRYPTION_KEY_OLD", old)
    with override_settings(FIELD_ENCRYPTION_KEY=new), pytest.raises(CommandError, match=message):
        call_command("rotate_field_key", stdout=StringIO())


def test_every_encrypted_column_is_registered_for_rotation():
    """A new *_encrypted column that is not registered would stay under the old key, unreadable."""
    registered = {(spec.model, spec.field) for spec in crypto.ENCRYPTED_FIELDS}
    columns = {(model._meta.label, field.name) for model in apps.get_models()
               for field in model._meta.get_fields() if field.name.endswith("_encrypted")}
    assert columns == registered
    assert ("complaints.Complaint", "phone_encrypted") in registered


def test_an_explicit_master_leaves_the_default_alone(settings):
    settings.FIELD_ENCRYPTION_KEY = OLD
    token = crypto.encrypt(PHONE, purpose="t", master=NEW)
    assert crypto.decrypt(token, purpose="t") == ""
    assert crypto.decrypt(token, purpose="t", master=NEW) == PHONE
    assert crypto.keyed_hash(PHONE, purpose="t", master=OLD) == crypto.keyed_hash(PHONE, purpose="t")
    assert crypto.keyed_hash(PHONE, purpose="t", master=NEW) != crypto.keyed_hash(PHONE, purpose="t")


def test_data_written_before_a_key_was_set_moves_from_the_secret_key(monkeypatch, estates, settings):
    """The upgrade path: without FIELD_ENCRYPTION_KEY the key was derived from SECRET_KEY, so
    that value is the old key."""
    settings.FIELD_ENCRYPTION_KEY = ""
    filed = complaint(estates["haiyang_1"], phone=PHONE)
    monkeypatch.setenv("FIELD_ENCRYPTION_KEY_OLD", settings.SECRET_KEY)
    settings.FIELD_ENCRYPTION_KEY = NEW

    call_command("rotate_field_key", stdout=StringIO())

    filed.refresh_from_db()
    assert privacy.phone_decrypt(filed.phone_encrypted) == PHONE
    assert filed.phone_hash == privacy.phone_hash(PHONE)
