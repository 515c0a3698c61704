from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'complaints'
    verbose_name = "投诉受理"

    def ready(self):
        from rectification.hooks import on_case_transition

        from .services import complaints_follow_case

        on_case_transition(complaints_follow_case)
