from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError

CHINESE_DETAILS = {
    exceptions.NotAuthenticated: "请先登录或提供有效的令牌。",
    exceptions.AuthenticationFailed: "身份验证失败，令牌无效或已过期。",
    exceptions.PermissionDenied: "您没有权限执行此操作。",
    exceptions.NotFound: "记录不存在或不在您的管辖范围内。",
    exceptions.MethodNotAllowed: "不支持该请求方法。",
    exceptions.Throttled: "请求过于频繁，请稍后再试。",
    exceptions.UnsupportedMediaType: "不支持的请求格式。",
    exceptions.ParseError: "请求内容格式错误，无法解析。",
}


def exception_handler(exc, context):
    """Every API error answers in Chinese as {"detail": ...} (plus field errors), never a 500
    for bad input."""
    if isinstance(exc, DomainError):
        return Response({"detail": exc.message, "code": exc.code}, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        return Response({"detail": "；".join(exc.messages)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if getattr(exc, "detail_is_chinese", False):  # raised with its own message (an expired token)
        return response
    for exc_class, message in CHINESE_DETAILS.items():
        if isinstance(exc, exc_class):
            response.data = {"detail": message}
            break
    return response
