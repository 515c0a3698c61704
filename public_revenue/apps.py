from django.apps import AppConfig


class PublicRevenueConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "public_revenue"
    verbose_name = "公共收益"
