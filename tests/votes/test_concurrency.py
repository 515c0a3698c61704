"""An owner's electronic ballot and a paper ballot for the same unit entered at the same moment:
one is counted, the other refused with a clear message, never both.

Needs PostgreSQL: SQLite has no row locks and serialises writers on the whole file."""

import threading
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connections

from core.errors import DomainError
from tests.rectification.factories import png
from votes import services
from votes.models import Ballot

from .conftest import all_choices, make_vote

IS_POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]

pytestmark = [
    pytest.mark.skipif(not IS_POSTGRES, reason="并发投票测试需要 PostgreSQL（SQLite 没有行锁）：设置 DATABASE_URL=postgres://… 后运行"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("reference_data"),
]


def test_electronic_and_paper_ballot_of_one_unit_at_once(estates, community_user):
    estate = estates["haiyang_1"]
    for unit in ("1-101", "1-102"):
        services.owner_unit_record(user=community_user, estate_id=estate.pk, unit=unit, owner_names="张三",
                                   area=Decimal("100"))
    vote = make_vote(user=community_user, estate=estate)
    [issued] = [i for i in services.ballot_codes_issue(user=community_user, vote_id=vote.pk) if i.unit.unit == "1-101"]
    choices = all_choices(vote)
    barrier = threading.Barrier(2)
    outcomes = []

    def run(action):
        try:
            barrier.wait(timeout=10)
            action()
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(exc.message)
        finally:
            connections.close_all()

    photo = png()
    threads = [
        threading.Thread(target=run, args=(lambda: services.ballot_cast(code=issued.code, choices=choices),)),
        threading.Thread(target=run, args=(lambda: services.ballot_enter_paper(
            user=community_user, vote_id=vote.pk, unit_id=issued.unit.pk, choices=choices, photo=photo),)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes, key=lambda o: o != "ok")[0] == "ok"
    assert len(outcomes) == 2 and outcomes.count("ok") == 1
    assert "每户只计一票" in next(o for o in outcomes if o != "ok")
    assert Ballot.objects.filter(vote=vote, unit=issued.unit).count() == 1
