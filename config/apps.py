"""AppConfig overrides for third-party apps, so the admin names them in Chinese."""

from axes.apps import AppConfig as AxesAppConfig


class AxesConfig(AxesAppConfig):
    """django-axes (lock-out after repeated login failures). Its model and field names come in
    Chinese from locale/zh_Hans (axes ships no zh_Hans catalogue); the app's own name is here."""

    verbose_name = "登录安全（失败锁定）"
