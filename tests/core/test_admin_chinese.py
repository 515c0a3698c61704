"""The admin names django-axes (login lock-out) in Chinese: the app by its AppConfig
(config.apps.AxesConfig), the models and fields by locale/zh_Hans, with no migration of axes."""

import pytest
from axes.models import AccessAttempt, AccessLog
from django.apps import apps
from django.utils import translation

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_axes_names_are_chinese():
    with translation.override("zh-hans"):
        assert apps.get_app_config("axes").verbose_name == "登录安全（失败锁定）"
        assert str(AccessAttempt._meta.verbose_name_plural) == "登录尝试（锁定计数）"
        assert str(AccessLog._meta.verbose_name_plural) == "登录日志"
        assert str(AccessAttempt._meta.get_field("failures_since_start").verbose_name) == "失败次数"
        assert str(AccessAttempt._meta.get_field("ip_address").verbose_name) == "IP 地址"


def test_the_admin_index_shows_them(client):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    body = client.get("/admin/").content.decode()
    assert "登录安全（失败锁定）" in body and "登录日志" in body
    assert "Access attempts" not in body and "Axes" not in body
    listing = client.get("/admin/axes/accessattempt/").content.decode()
    assert "尝试时间" in listing and "Attempt Time" not in listing
