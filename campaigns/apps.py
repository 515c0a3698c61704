from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'campaigns'
    verbose_name = "专项行动与问题类别"

    def ready(self):
        from . import selectors  # noqa: F401  (drops the cached active campaigns when one changes)
