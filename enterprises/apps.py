from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'enterprises'
    verbose_name = "物业服务企业"

    def ready(self):
        # ready(): the services import models, which are loaded only now
        from rectification.hooks import on_supervision_lifted, on_supervision_recorded

        from . import registers  # noqa: F401 - registers the register imports' job runners
        from .services import credit_event_from_supervision, credit_record_supervision_lifted

        on_supervision_recorded(credit_event_from_supervision)
        on_supervision_lifted(credit_record_supervision_lifted)
