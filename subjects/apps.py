from django.apps import AppConfig


class SubjectsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "subjects"
    verbose_name = "责任主体登记"

    def ready(self):
        # ready(): the intake's subject resolver reads this app's models, loaded only once the registry is
        from rectification import hooks

        from . import registers  # noqa: F401 - registers the register imports' job runners
        from .services import case_subject_defaults

        hooks.on_subject_default(case_subject_defaults)
