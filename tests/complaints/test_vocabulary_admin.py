"""The county working group edits its 12345 words in the admin: it sees the defaults and its own
rows (not another county's), cannot change a default, and a row it adds is its county's."""

import pytest
from django.contrib.auth.models import Permission

from campaigns.models import ProblemCategory
from complaints.models import HotlineVocabulary
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_a_county_edits_its_own_words_not_the_defaults(client, county_user, tree):
    county_user.is_staff = True
    county_user.save()
    county_user.user_permissions.set(Permission.objects.filter(content_type__model="hotlinevocabulary"))
    f6 = ProblemCategory.objects.get(code="F6")
    default = HotlineVocabulary.objects.get(kind="category", text="电梯故障", region__isnull=True)
    other = HotlineVocabulary.objects.create(kind="category", text="屯溪的说法", category=f6, region=tree["district"])
    login(client, county_user)
    listing = client.get("/admin/complaints/hotlinevocabulary/?kind=category").content.decode()
    assert "电梯故障" in listing and "屯溪的说法" not in listing
    assert client.post(f"/admin/complaints/hotlinevocabulary/{default.pk}/change/",
                       {"kind": "category", "text": "电梯故障", "category": f6.pk, "priority": 100}).status_code == 403
    assert client.get(f"/admin/complaints/hotlinevocabulary/{other.pk}/change/").status_code in (302, 404)
    response = client.post("/admin/complaints/hotlinevocabulary/add/",
                           {"kind": "category", "text": "文明养犬", "category": f6.pk, "priority": 100, "field": ""})
    assert response.status_code == 302
    assert HotlineVocabulary.objects.get(text="文明养犬").region == tree["county"]
