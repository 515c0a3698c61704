from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from . import services
from .middleware import MESSAGE as FORCED_CHANGE_MESSAGE


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label="用户名", error_messages={"required": "请填写用户名。", "blank": "请填写用户名。"})
    password = serializers.CharField(
        label="密码", style={"input_type": "password"}, trim_whitespace=False,
        error_messages={"required": "请填写密码。", "blank": "请填写密码。"},
    )


class TokenView(APIView):
    """POST username + password: the user's token and when it expires (a new token once the old
    one has expired); failures count toward the axes lockout. DELETE, authenticated: revokes the
    caller's token."""

    def _revoking(self) -> bool:
        # During dispatch self.request is Django's request (set before DRF wraps it); the schema
        # generator first builds its mock request with none, then asks again once per method.
        return getattr(getattr(self, "request", None), "method", None) == "DELETE"

    def get_authenticators(self):
        # Obtaining takes only the password: a stale token or an old session must not stand in
        # its way, nor the session's CSRF check a script posting credentials.
        return super().get_authenticators() if self._revoking() else []

    def get_permissions(self):
        # every logged-in user, read-only roles included, may give up their own token
        return [IsAuthenticated()] if self._revoking() else [AllowAny()]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: inline_serializer("TokenResponse", {
            "token": serializers.CharField(), "expires_at": serializers.DateTimeField(),
        })},
        summary="获取 API 令牌",
        description="用用户名和密码换取令牌。令牌自签发起有效 API_TOKEN_TTL_DAYS 天（默认 30 天），"
                    "过期后再次获取即签发新令牌；连续输错密码会暂时锁定账号。",
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(request=request._request, **serializer.validated_data)
        if user is None or not user.is_active:
            return Response({"detail": "用户名或密码错误。"}, status=400)
        if user.must_change_password:  # a one-time password opens the password change page only
            return Response({"detail": FORCED_CHANGE_MESSAGE}, status=403)
        token = services.token_obtain(user=user)
        return Response({"token": token.key, "expires_at": services.token_expires_at(token)})

    @extend_schema(request=None, responses={204: None}, summary="吊销 API 令牌",
                   description="删除当前用户的令牌，此后用它的请求均返回 401；需要时可重新获取。")
    def delete(self, request):
        services.token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
