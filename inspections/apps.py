from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "inspections"
    verbose_name = "排查与抽查"

    def ready(self):
        from . import views  # noqa: F401 - registers the import jobs' runners
