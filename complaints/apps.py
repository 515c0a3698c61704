from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'complaints'
    verbose_name = "投诉受理"

    def ready(self):
        # ready(): models and the modules that import them load only once the app registry is ready
        from core.crypto import register_encrypted_field
        from rectification.hooks import on_case_transition

        from . import import_views, privacy  # noqa: F401 - import_views registers the import jobs' runners
        from .services import complaints_follow_case

        on_case_transition(complaints_follow_case)
        register_encrypted_field(
            model="complaints.Complaint", field="phone_encrypted", purpose=privacy.PURPOSE, hash_field="phone_hash",
        )
