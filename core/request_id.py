"""A request id on every request and on every log line written while it runs, and log lines as
JSON (LOG_FORMAT=json, the production default in deploy/wuye.env): the id comes from the
X-Request-ID header when nginx (or another trusted hop) set one — nginx's $request_id, so its
access log and ours share it — or is made here, and is sent back in the response's X-Request-ID."""

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime

from django.core.signals import request_finished
from django.dispatch import receiver

_request_id = contextvars.ContextVar("request_id", default="-")

#: what a forwarded id may look like: no spaces, quotes or control characters in a log line
_VALID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
HEADER = "X-Request-ID"


def current_request_id() -> str:
    return _request_id.get()


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(HEADER, "")
        request_id = incoming if _VALID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        # kept until the response is closed (request_finished): Django logs "Not Found" and 500s
        # after the middleware chain has returned
        _request_id.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


@receiver(request_finished)
def _request_id_clear(**kwargs):
    _request_id.set("-")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (a "-" outside a request: tasks, commands)."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id, and the
    exception's traceback when there is one."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", _request_id.get()),
        }
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
