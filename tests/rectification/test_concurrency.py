"""Two officers close the same case at the same moment: one 销号, one clear refusal.

Needs PostgreSQL: SQLite has no row locks (select_for_update is a no-op there) and serialises
writers on the whole file, so the race cannot be staged on it."""

import threading

import pytest
from django.conf import settings
from django.db import connections

from core.errors import DomainError
from rectification.models import CaseEvent, CaseState
from rectification.services import case_transition
from tests.factories import UserFactory
from tests.rectification.factories import CaseFactory, add_evidence

IS_POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]

pytestmark = [
    pytest.mark.skipif(not IS_POSTGRES, reason="并发销号测试需要 PostgreSQL（SQLite 没有行锁）：设置 DATABASE_URL=postgres://… 后运行"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("reference_data"),
]


def race(case, users, expected_version):
    barrier = threading.Barrier(len(users))
    outcomes = []

    def close(user):
        try:
            barrier.wait(timeout=10)
            case_transition(case_id=case.pk, user=user, transition="close", note=user.username,
                            expected_version=expected_version)
            outcomes.append(("ok", user.username))
        except DomainError as exc:
            outcomes.append(("refused", exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=close, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


@pytest.mark.parametrize("expected_version, message", [
    (1, "该案件已被他人办理（当前状态：已销号），请刷新后查看。"),
    (None, "案件当前状态为“已销号”，不能执行“销号”。"),
])
def test_two_simultaneous_closures(estates, county_user, tree, expected_version, message):
    from accounts.models import Role

    office = UserFactory(username="office-2", role=Role.COUNTY_OFFICE, region=tree["county"])
    case = CaseFactory(estate=estates["haiyang_1"], state=CaseState.PENDING_CLOSURE)
    add_evidence(case)
    outcomes = race(case, [county_user, office], expected_version)
    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"]
    refusal = next(value for kind, value in outcomes if kind == "refused")
    assert refusal.status_code == 409 and refusal.message == message
    assert CaseEvent.objects.filter(case=case, transition="close").count() == 1
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED and case.version == 2
