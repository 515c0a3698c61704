"""Abuse protection of the public pages (and of staff search by phone number): an offline arithmetic CAPTCHA carried by the form as a
signed token (no session row is written to show the form) that also carries when the form was
shown (a form answered faster than a person can is refused), a honeypot field only scripts fill,
and sliding-window rate limits per IP in Django's cache (Redis in production, shared by every
worker). A phone number over its daily count is not refused — anyone can type a stranger's
number — the complaint is flagged for a person to check instead (`Complaint.review_note`).

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

from core.cache import window_hit
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


class Honeypot(DomainError):
    status_code = 400
    default_message = "提交失败，请刷新页面后重新填写。"


def _count(scope: str, ident: str, window: int) -> float:
    """One more attempt of `ident`, and the attempts of the last `window` seconds as a sliding
    window: this bucket's count plus the previous bucket's, weighted by how much of it still
    lies inside the window (no burst of twice the limit at a bucket's edge)."""
    now = time.time()
    bucket = int(now // window)
    count, previous = window_hit(f"complaints:rl:{scope}:{ident}:{bucket}", f"complaints:rl:{scope}:{ident}:{bucket - 1}",
                                 2 * window + 60)
    return count + previous * (1 - (now % window) / window)


def rate_limit_hit(scope: str, ident: str) -> None:
    """Counts one attempt of `ident` in `scope` and raises RateLimited past the limit."""
    limit, window = settings.COMPLAINTS_RATE_LIMITS[scope]
    if _count(scope, ident, window) > limit:
        minutes = max(1, window // 60)
        unit = f"{minutes // 60} 小时" if minutes >= 60 else f"{minutes} 分钟"
        if scope == "phone_search":
            raise RateLimited(f"按来电号码查询过于频繁（{unit}内最多 {limit} 次），请稍后再试。")
        what = {"ip": "同一网络", "phone": "同一手机号", "track_ip": "同一网络"}.get(scope, "")
        raise RateLimited(f"{what}在 {unit}内提交次数过多（上限 {limit} 次），请稍后再试。")


def phone_review_note(phone_hash: str) -> str:
    """Counts one public submission of a number; past the daily limit returns why the complaint
    needs a person to check it (a number typed by someone else must not block its owner)."""
    limit, window = settings.COMPLAINTS_RATE_LIMITS["phone"]
    if _count("phone", phone_hash, window) > limit:
        return f"同一手机号 24 小时内提交超过 {limit} 次，请核实是否本人投诉。"
    return ""


def honeypot_check(value) -> None:
    """The form's hidden 网址 field: a person never sees it, a script fills every field."""
    if str(value or "").strip():
        raise Honeypot()


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
    token = signing.dumps({"n": nonce, "h": _answer_digest(nonce, str(answer)), "t": int(time.time())}, salt=CAPTCHA_SALT)
    return Captcha(question, token)


def captcha_check(token: str, answer: str) -> None:
    """One try per question: a token is spent (its nonce remembered in the cache until it would
    have expired anyway) whatever the answer. A missing, tampered, expired or spent token is
    "expired": the visitor gets a new question."""
    try:
        data = signing.loads(str(token or ""), salt=CAPTCHA_SALT, max_age=CAPTCHA_MAX_AGE)
        nonce, digest, shown = str(data["n"]), str(data["h"]), int(data["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise CaptchaFailed(CAPTCHA_EXPIRED) from None
    if not cache.add(f"{CAPTCHA_USED_PREFIX}{nonce}", 1, timeout=CAPTCHA_MAX_AGE + 60):
        raise CaptchaFailed(CAPTCHA_EXPIRED)
    if time.time() - shown < settings.COMPLAINTS_MIN_FILL_SECONDS:  # faster than anyone reads the form
        raise CaptchaFailed("提交过快，请核对填写内容后重新回答验证题再提交。")
    if not constant_time_compare(_answer_digest(nonce, str(answer or "").strip()), digest):
        raise CaptchaFailed()
