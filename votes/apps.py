from django.apps import AppConfig


class VotesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "votes"
    verbose_name = "业主共同决定（表决）"

    def ready(self):
        # ready(): the privacy module's purposes are registered once the app registry is ready
        from core.crypto import register_encrypted_field

        from . import privacy, registers  # noqa: F401 - registers registers the import's job runners

        register_encrypted_field(model="votes.OwnerUnit", field="owner_names_encrypted", purpose=privacy.PURPOSE)
        register_encrypted_field(model="votes.OwnerUnit", field="phone_encrypted", purpose=privacy.PURPOSE)
