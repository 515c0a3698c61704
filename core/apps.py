from django.apps import AppConfig


class CoreConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'core'
    verbose_name = "系统"

    def ready(self):
        # core.sms imports the models, which are loaded only now; it also registers the SMS task
        from .sms import register_encrypted_fields

        register_encrypted_fields()
