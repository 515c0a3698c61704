from django.http import JsonResponse
from django.shortcuts import render


def _error(request, status, message):
    # an API client (an unknown route, a failure before DRF's handler) gets JSON like every API error
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status, json_dumps_params={"ensure_ascii": False})
    return render(request, "error.html", {"status": status, "message": message}, status=status)


def bad_request(request, exception=None):
    return _error(request, 400, "请求有误，请检查后重试。")


def permission_denied(request, exception=None):
    return _error(request, 403, "您没有权限访问此页面。")


def page_not_found(request, exception=None):
    return _error(request, 404, "页面不存在，或记录不在您的管辖范围内。")


def server_error(request):
    return _error(request, 500, "系统繁忙，请稍后再试。")
