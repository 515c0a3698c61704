"""API tokens (DRF authtoken, one per user) with a lifetime: settings.API_TOKEN_TTL_DAYS from
the token's creation. A lifetime bounds how long a token copied into a script or a leaked
configuration keeps working; revoking ends it at once."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from core.audit import not_audited


def token_expires_at(token: Token) -> datetime:
    return token.created + timedelta(days=settings.API_TOKEN_TTL_DAYS)


def token_is_expired(token: Token) -> bool:
    return timezone.now() >= token_expires_at(token)


@not_audited("an API credential, not a domain object: it has no log of its own")
def token_obtain(*, user) -> Token:
    """The user's token while it is valid; once it has expired, a new one (new key, new lifetime)
    in its place. Two clients of one user share the token, as before."""
    with transaction.atomic():
        token = Token.objects.select_for_update().filter(user=user).first()
        if token is not None and token_is_expired(token):
            token.delete()
            token = None
        if token is None:
            # get_or_create: a concurrent first request of the same user may have created it
            token, _ = Token.objects.get_or_create(user=user)
    return token


@not_audited("an API credential, not a domain object: it has no log of its own")
def token_revoke(*, user) -> None:
    """Deletes the user's token, so every client holding it gets 401; safe to repeat."""
    Token.objects.filter(user=user).delete()
