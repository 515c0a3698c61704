from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from .services import token_is_expired


class TokenExpired(exceptions.AuthenticationFailed):
    """401 with WWW-Authenticate, as any failed token, but saying what to do about it."""

    default_detail = "令牌已过期，请重新获取。"
    default_code = "token_expired"
    detail_is_chinese = True  # core.api.exception_handler keeps it


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing a token past its lifetime (accounts.services). The
    expired token is kept: the client's next POST to /api/v1/auth/token/ replaces it."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_is_expired(token):
            raise TokenExpired()
        return user, token
