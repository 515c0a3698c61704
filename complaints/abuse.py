"""Abuse protection of the public pages: an offline arithmetic CAPTCHA kept in the session, and
fixed-window rate limits per IP and per phone number in Django's cache (LocMem or Redis)."""

import secrets
import time

from django.conf import settings
from django.core.cache import cache

from core.errors import DomainError

CAPTCHA_SESSION_KEY = "complaints_captcha"


class RateLimited(DomainError):
    status_code = 429
    default_message = "提交过于频繁，请稍后再试。"


class CaptchaFailed(DomainError):
    status_code = 400
    default_message = "验证题答案不正确，请重新计算后填写。"


def client_ip(request) -> str:
    """REMOTE_ADDR: behind a reverse proxy, the proxy must set it (e.g. gunicorn's
    --forwarded-allow-ips); X-Forwarded-For from the client is not trusted here."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def rate_limit_hit(scope: str, ident: str) -> None:
    """Counts one attempt of `ident` in `scope` and raises RateLimited past the limit."""
    limit, window = settings.COMPLAINTS_RATE_LIMITS[scope]
    bucket = int(time.time() // window)
    key = f"complaints:rl:{scope}:{ident}:{bucket}"
    cache.add(key, 0, timeout=window + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=window + 60)
        count = 1
    if count > limit:
        minutes = max(1, window // 60)
        what = {"ip": "同一网络", "phone": "同一手机号", "track_ip": "同一网络"}.get(scope, "")
        unit = f"{minutes // 60} 小时" if minutes >= 60 else f"{minutes} 分钟"
        raise RateLimited(f"{what}在 {unit}内提交次数过多（上限 {limit} 次），请稍后再试。")


def captcha_new(request) -> str:
    """A new question; the answer stays in the session only."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    if secrets.randbelow(2) and a > b:
        question, answer = f"{a} 减 {b} 等于几？", a - b
    else:
        question, answer = f"{a} 加 {b} 等于几？", a + b
    request.session[CAPTCHA_SESSION_KEY] = {"q": question, "a": answer}
    return question


def captcha_question(request) -> str:
    stored = request.session.get(CAPTCHA_SESSION_KEY)
    return stored["q"] if stored else captcha_new(request)


def captcha_check(request, answer: str) -> None:
    """One try per question: the question is replaced whatever the answer."""
    stored = request.session.pop(CAPTCHA_SESSION_KEY, None)
    if stored is None:
        raise CaptchaFailed("验证题已过期，请重新填写验证题。")
    if str(answer or "").strip() != str(stored["a"]):
        raise CaptchaFailed()
