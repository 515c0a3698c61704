"""One family of domain errors. Services raise them with a Chinese message; the page middleware
and the API exception handler turn them into a 4xx with that message."""


class DomainError(Exception):
    status_code = 400
    default_message = "操作无法完成。"

    def __init__(self, message: str | None = None, *, code: str | None = None):
        self.message = message or self.default_message
        self.code = code or self.__class__.__name__
        super().__init__(self.message)


class PermissionDenied(DomainError):
    status_code = 403
    default_message = "您没有权限执行此操作。"


class NotFound(DomainError):
    status_code = 404
    default_message = "记录不存在或不在您的管辖范围内。"


class InvalidState(DomainError):
    status_code = 409
    default_message = "当前状态不允许此操作。"


class Conflict(DomainError):
    status_code = 409
    default_message = "记录已被他人修改，请刷新后重试。"
