from django.apps import AppConfig


class PublicRevenueConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "public_revenue"
    verbose_name = "公共收益"

    def ready(self):
        # ready(): models and the modules that import them load only once the app registry is ready
        from core.crypto import register_encrypted_field

        from . import views  # noqa: F401 - registers the import jobs' runners
        from .services import ACCOUNT_NUMBER_PURPOSE

        register_encrypted_field(
            model="public_revenue.RevenueAccount", field="account_number_encrypted", purpose=ACCOUNT_NUMBER_PURPOSE,
        )
