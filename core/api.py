import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import as_domain_error

logger = logging.getLogger("django.request")

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


SERVER_ERROR = "服务器内部错误，已记录，请稍后重试或联系系统管理员。"


def exception_handler(exc, context):
    """Every API error answers JSON in Chinese as {"detail": ...} (plus field errors): never a 500
    for bad input, a 409 when another writer holds the lock, and a JSON 500 (logged with its
    traceback) for a bug, never Django's HTML page."""
    domain_error = as_domain_error(exc)
    if domain_error is not None:
        return Response({"detail": domain_error.message, "code": domain_error.code}, status=domain_error.status_code)
    if isinstance(exc, DjangoValidationError):
        return Response({"detail": "；".join(exc.messages)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        request = context.get("request")
        logger.error("Internal Server Error: %s", getattr(request, "path", ""), exc_info=exc,
                     extra={"status_code": 500, "request": getattr(request, "_request", None)})
        return Response({"detail": SERVER_ERROR}, status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    if getattr(exc, "detail_is_chinese", False):  # raised with its own message (an expired token)
        return response
    for exc_class, message in CHINESE_DETAILS.items():
        if isinstance(exc, exc_class):
            response.data = {"detail": message}
            break
    return response
