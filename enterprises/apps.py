from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'enterprises'
    verbose_name = "物业服务企业"
