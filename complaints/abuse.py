"""Abuse protection of the public pages (and of staff search by phone number): an offline arithmetic CAPTCHA carried by the form as a
signed token (no session row is written to show the form), and fixed-window rate limits per IP
and per phone number in Django's cache (LocMem or Redis).

The token (django.core.signing, salted, timestamped) holds a random nonce and a SECRET_KEY-keyed
digest of the answer; it expires after CAPTCHA_MAX_AGE and is spent on its first use (the nonce
is `cache.add`-ed). With LocMem each gunicorn worker remembers its own spent nonces, so a replay
could pass once per other worker; with Redis (REDIS_URL) the memory is shared."""

import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.crypto import constant_time_compare, salted_hmac

from core.errors import DomainError

CAPTCHA_SALT = "complaints.captcha"
CAPTCHA_MAX_AGE = 30 * 60  # seconds a question stays answerable
CAPTCHA_USED_PREFIX = "complaints:captcha-used:"
CAPTCHA_EXPIRED = "验证题已过期，请重新填写验证题。"


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
        unit = f"{minutes // 60} 小时" if minutes >= 60 else f"{minutes} 分钟"
        if scope == "phone_search":
            raise RateLimited(f"按来电号码查询过于频繁（{unit}内最多 {limit} 次），请稍后再试。")
        what = {"ip": "同一网络", "phone": "同一手机号", "track_ip": "同一网络"}.get(scope, "")
        raise RateLimited(f"{what}在 {unit}内提交次数过多（上限 {limit} 次），请稍后再试。")


@dataclass(frozen=True)
class Captcha:
    question: str
    token: str


def _answer_digest(nonce: str, answer: str) -> str:
    """Keyed with SECRET_KEY: the token carries this, never the answer (0–18 would be guessed
    from a plain hash)."""
    return salted_hmac(CAPTCHA_SALT, f"{nonce}:{answer}", algorithm="sha256").hexdigest()[:32]


def captcha_new() -> Captcha:
    """A new question and its signed token (nonce, keyed digest of the answer, timestamp). The
    form carries the token in a hidden field: nothing is stored on the server until it is used."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    if secrets.randbelow(2) and a > b:
        question, answer = f"{a} 减 {b} 等于几？", a - b
    else:
        question, answer = f"{a} 加 {b} 等于几？", a + b
    nonce = secrets.token_urlsafe(12)
    token = signing.dumps({"n": nonce, "h": _answer_digest(nonce, str(answer))}, salt=CAPTCHA_SALT)
    return Captcha(question, token)


def captcha_check(token: str, answer: str) -> None:
    """One try per question: a token is spent (its nonce remembered in the cache until it would
    have expired anyway) whatever the answer. A missing, tampered, expired or spent token is
    "expired": the visitor gets a new question."""
    try:
        data = signing.loads(str(token or ""), salt=CAPTCHA_SALT, max_age=CAPTCHA_MAX_AGE)
        nonce, digest = str(data["n"]), str(data["h"])
    except (signing.BadSignature, KeyError, TypeError):
        raise CaptchaFailed(CAPTCHA_EXPIRED) from None
    if not cache.add(f"{CAPTCHA_USED_PREFIX}{nonce}", 1, timeout=CAPTCHA_MAX_AGE + 60):
        raise CaptchaFailed(CAPTCHA_EXPIRED)
    if not constant_time_compare(_answer_digest(nonce, str(answer or "").strip()), digest):
        raise CaptchaFailed()
