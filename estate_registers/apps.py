from django.apps import AppConfig


class EstateRegistersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "estate_registers"
    verbose_name = "小区专项台账"

    def ready(self):
        # ready(): the import schemas read models, which are loaded only now
        from . import importers  # noqa: F401 - registers the import jobs' runners
