from django.apps import AppConfig


class EstateRegistersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "estate_registers"
    verbose_name = "小区专项台账"
