from django.shortcuts import render


def _error(request, status, message):
    return render(request, "error.html", {"status": status, "message": message}, status=status)


def bad_request(request, exception=None):
    return _error(request, 400, "请求有误，请检查后重试。")


def permission_denied(request, exception=None):
    return _error(request, 403, "您没有权限访问此页面。")


def page_not_found(request, exception=None):
    return _error(request, 404, "页面不存在，或记录不在您的管辖范围内。")


def server_error(request):
    return render(request, "error.html", {"status": 500, "message": "系统繁忙，请稍后再试。"}, status=500)
