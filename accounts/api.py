from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label="用户名", error_messages={"required": "请填写用户名。", "blank": "请填写用户名。"})
    password = serializers.CharField(
        label="密码", style={"input_type": "password"}, trim_whitespace=False,
        error_messages={"required": "请填写密码。", "blank": "请填写密码。"},
    )


class ObtainTokenView(APIView):
    """POST username + password, get {"token": ...}. Failures count toward the axes lockout."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
        summary="获取 API 令牌",
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(request=request._request, **serializer.validated_data)
        if user is None or not user.is_active:
            return Response({"detail": "用户名或密码错误。"}, status=400)
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
