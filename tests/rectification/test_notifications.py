import pytest

from core.models import Notification
from core.notifications import notification_send
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_list_shows_only_own_notifications(client, town_user, other_town_user):
    notification_send(users=[town_user, town_user], title="案件超期：海阳花园", url="/rectification/")
    notification_send(users=[other_town_user], title="案件超期：横江苑")
    assert Notification.objects.filter(user=town_user).count() == 1
    body = login(client, town_user).get("/notifications/").content.decode()
    assert "海阳花园" in body and "横江苑" not in body and "未读" in body


def test_mark_all_read(client, town_user, other_town_user):
    notification_send(users=[town_user, other_town_user], title="x")
    assert login(client, town_user).post("/notifications/read/").status_code == 302
    assert Notification.objects.get(user=town_user).read_at is not None
    assert Notification.objects.get(user=other_town_user).read_at is None
