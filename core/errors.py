"""One family of domain errors. Services raise them with a Chinese message; the page middleware
and the API exception handler turn them into a 4xx with that message."""

from django.db import OperationalError


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


class Busy(Conflict):
    default_message = "系统繁忙：该记录正由他人办理，请稍后刷新重试。"


class MissingField(DomainError):
    """A required value is absent."""

    default_message = "请填写必填项。"


class InvalidInput(DomainError):
    """A value is present but not acceptable (a malformed date, an unknown choice, too long)."""

    default_message = "填写的内容有误。"


class ImportRefused(DomainError):
    """A file the importer will not read, or will not import as a whole; `errors` lists the
    rows' reasons where there are some."""

    default_message = "导入文件无法识别。"

    def __init__(self, message: str | None = None, *, code: str | None = None, errors: list[str] | None = None):
        super().__init__(message, code=code)
        self.errors = errors or []


#: PostgreSQL's serialization failure, deadlock and lock timeout: the other writer won
_LOCK_PGCODES = frozenset({"40001", "40P01", "55P03"})


def as_domain_error(exc: BaseException) -> DomainError | None:
    """A database error that is a passing state, not a bug: another writer held the lock
    (SQLite's "database is locked" after the busy timeout, PostgreSQL's deadlock / lock timeout /
    serialization failure). It answers 409 like any other concurrent change; anything else None."""
    if isinstance(exc, DomainError):
        return exc
    if isinstance(exc, OperationalError):
        text = str(exc).lower()
        if "database is locked" in text or "database table is locked" in text:
            return Busy()
        if getattr(exc.__cause__, "pgcode", None) in _LOCK_PGCODES:
            return Busy()
    return None
