from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The top floor: home pages, the demo county and the scale generator, which read every app
    below them; nothing imports portal."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "portal"
    verbose_name = "门户与演示"
