"""问题线索 (/rectification/clues/, /api/v1/clues/): the list behind 收到线索 and its sources."""

from datetime import timedelta

import pytest
from django.utils import timezone

from rectification.models import CaseClue, ClueSource
from tests.conftest import login
from tests.rectification.factories import CaseFactory

pytestmark = pytest.mark.django_db


def _clue(case, source=ClueSource.COMPLAINT, days_ago=0):
    return CaseClue.objects.create(case=case, source=source, reference=f"GD-{case.pk}-{source}",
                                   received_at=timezone.now() - timedelta(days=days_ago))


def test_it_works(client, town_user, estates, django_assert_max_num_queries):
    haiyang = CaseFactory(estate=estates["haiyang_1"])
    for n in range(3):
        _clue(haiyang, days_ago=n)
    _clue(haiyang, source=ClueSource.INSPECTION)
    _clue(CaseFactory(estate=estates["haiyang_2"]), source=ClueSource.SELF_CHECK, days_ago=40)
    login(client, town_user)
    with django_assert_max_num_queries(12):
        response = client.get("/rectification/clues/")
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="clue-row"') == 5
    today = timezone.localdate()
    query = {"source_in": "inspection,self_check", "received_from": (today - timedelta(days=30)).isoformat(),
             "received_to": today.isoformat()}
    assert client.get("/api/v1/clues/", query).json()["count"] == 1
    assert "共 1 条" in client.get("/rectification/clues/", query).content.decode()


def test_it_validates_ownership(client, other_town_user, discipline_user, estates):
    _clue(CaseFactory(estate=estates["haiyang_1"]))
    corruption = CaseFactory(estate=estates["haiyang_1"], is_corruption_clue=True)
    _clue(corruption)
    login(client, other_town_user)  # 万安镇: none of 海阳镇's clues
    assert client.get("/api/v1/clues/").json()["count"] == 0
    assert 'data-testid="clue-row"' not in client.get("/rectification/clues/").content.decode()
    login(client, discipline_user)  # corruption clues only
    assert [row["case"] for row in client.get("/api/v1/clues/").json()["results"]] == [corruption.pk]
