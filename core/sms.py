"""Text messages (短信): one backend interface, a console default, an in-memory test backend and a
generic HTTP gateway adapter configured by settings (government SMS platforms differ: each county
points it at its own).

The backend interface (settings.SMS_BACKEND, a dotted path to a class):

    class MyGateway:
        def send(self, phone: str, text: str) -> str:
            '''Sends one message; returns the platform's message id. Raises SmsTransientError
            when trying again later may work (network, timeout, HTTP 5xx/429: the task retries
            with backoff) and SmsRejected when it will not (bad number, refused content, wrong
            credentials: the row is marked failed and the error kept).'''

The flow: a service records the event's message with `sms_queue` (one SmsMessage row per event
key; the number encrypted) and the send is enqueued after commit; the task `core.tasks.sms_send`
claims the row with a conditional update, decrypts the number, calls the backend and records the
outcome. A task delivered twice, or an event queued twice, sends once."""

import json
import logging
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from itertools import count

from celery import shared_task
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from .crypto import decrypt, encrypt, register_encrypted_field
from .errors import InvalidInput
from .models import NotificationPreference, SmsMessage

logger = logging.getLogger(__name__)

#: the Fernet purpose of every SMS number (a message's and an officer's preference): one token copies
PURPOSE = "core.sms.phone"


def register_encrypted_fields() -> None:
    """Called by CoreConfig.ready: the key rotation must find these columns even when nothing
    has imported this module."""
    register_encrypted_field(model="core.SmsMessage", field="to_encrypted", purpose=PURPOSE)
    register_encrypted_field(model="core.NotificationPreference", field="mobile_encrypted", purpose=PURPOSE)

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
MAX_ATTEMPTS = 5
#: a row left "sending" longer than this (its worker died mid-send) may be claimed again; far longer
#: than the send task's time limit, so a slow gateway call is never doubled
STALE_CLAIM = timedelta(minutes=15)
MAX_TEXT = 500


class SmsError(Exception):
    pass


class SmsTransientError(SmsError):
    """Trying again later may work."""


class SmsRejected(SmsError):
    """The gateway refused the message; trying again will not help."""


def is_mobile(phone: str) -> bool:
    return bool(MOBILE_RE.match(phone or ""))


def mask(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) == 11 else "****"


# ---------------------------------------------------------------------------------------------
# Backends


class ConsoleBackend:
    """Development default: writes the message (number masked) to standard output, as Django's
    console e-mail backend does, and says it was sent."""

    _ids = count(1)

    def send(self, phone: str, text: str) -> str:
        sys.stdout.write(f"[短信] {mask(phone)}：{text}\n")
        return f"console-{next(self._ids)}"


class SilentBackend:
    """Demo seeding: the demo county's hundreds of texts are recorded as sent and printed nowhere,
    so `make run` ends with the logins, not with pages of [短信] lines."""

    _ids = count(1)

    def send(self, phone: str, text: str) -> str:
        return f"silent-{next(self._ids)}"


class MemoryBackend:
    """Tests: keeps every message in `outbox` (phone, text) instead of sending it."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> str:
        MemoryBackend.outbox.append((phone, text))
        return f"test-{len(MemoryBackend.outbox)}"


class HttpGatewayBackend:
    """A generic HTTP SMS platform, configured by settings.SMS_HTTP (a dict):

    - URL (required), METHOD ("POST" or "GET"), TIMEOUT (seconds, 10)
    - PHONE_PARAM ("mobile"), TEXT_PARAM ("content"), EXTRA_PARAMS ({"sign": "…", "appid": "…"})
    - BODY: "json" or "form" (POST only; "form")
    - AUTH_HEADER ("Authorization"), AUTH_TOKEN (""), AUTH_SCHEME ("Bearer"; "" sends the token alone)
    - SUCCESS_FIELD: the answer's JSON field that says success (e.g. "code"; dotted for nested,
      "result.code"); SUCCESS_VALUES: its values meaning success (["0", "200", "OK"]). Without
      SUCCESS_FIELD any HTTP 2xx is success.
    - ID_FIELD: the answer's field with the message id ("msgid"; dotted for nested)

    HTTP 5xx, 429 and network errors are transient (retried); other 4xx and a failed success
    check are rejections."""

    def __init__(self, config: dict | None = None):
        self.config = {
            "METHOD": "POST", "TIMEOUT": 10, "PHONE_PARAM": "mobile", "TEXT_PARAM": "content", "EXTRA_PARAMS": {},
            "BODY": "form", "AUTH_HEADER": "Authorization", "AUTH_TOKEN": "", "AUTH_SCHEME": "Bearer",
            "SUCCESS_FIELD": "", "SUCCESS_VALUES": ["0", "200", "OK", "ok", "success"], "ID_FIELD": "msgid",
            **(config if config is not None else getattr(settings, "SMS_HTTP", {})),
        }
        if not self.config.get("URL"):
            raise SmsRejected("SMS_HTTP 未配置 URL。")

    def request(self, phone: str, text: str) -> urllib.request.Request:
        c = self.config
        params = {**c["EXTRA_PARAMS"], c["PHONE_PARAM"]: phone, c["TEXT_PARAM"]: text}
        headers = {"Accept": "application/json"}
        if c["AUTH_TOKEN"]:
            headers[c["AUTH_HEADER"]] = f"{c['AUTH_SCHEME']} {c['AUTH_TOKEN']}".strip()
        url, data = c["URL"], None
        if not url.startswith(("https://", "http://")):
            raise SmsRejected("SMS_HTTP 的 URL 须以 http:// 或 https:// 开头。")
        if c["METHOD"].upper() == "GET":
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
        elif c["BODY"] == "json":
            data, headers["Content-Type"] = json.dumps(params, ensure_ascii=False).encode(), "application/json"
        else:
            data = urllib.parse.urlencode(params).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
        return urllib.request.Request(url, data=data, headers=headers, method=c["METHOD"].upper())  # noqa: S310

    @staticmethod
    def _field(answer, dotted: str):
        for part in dotted.split("."):
            if not isinstance(answer, dict):
                return None
            answer = answer.get(part)
        return answer

    def send(self, phone: str, text: str) -> str:
        c = self.config
        try:
            with urllib.request.urlopen(self.request(phone, text), timeout=c["TIMEOUT"]) as response:  # noqa: S310
                body = response.read(65536).decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            if exc.code >= 500 or exc.code == 429:
                raise SmsTransientError(f"短信平台返回 HTTP {exc.code}") from exc
            raise SmsRejected(f"短信平台拒绝：HTTP {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SmsTransientError(f"无法连接短信平台：{exc}") from exc
        try:
            answer = json.loads(body) if body.strip() else {}
        except ValueError:
            answer = {}
        if c["SUCCESS_FIELD"]:
            value = self._field(answer, c["SUCCESS_FIELD"])
            if str(value) not in {str(v) for v in c["SUCCESS_VALUES"]}:
                raise SmsRejected(f"短信平台返回失败：{body[:200]}")
        message_id = self._field(answer, c["ID_FIELD"]) if c["ID_FIELD"] else None
        return str(message_id or "")


def get_backend():
    return import_string(getattr(settings, "SMS_BACKEND", "core.sms.ConsoleBackend"))()


# ---------------------------------------------------------------------------------------------
# Queue and delivery


def sms_queue(*, key: str, kind: str, text: str, phone: str = "", phone_token: str = "", user=None) -> SmsMessage | None:
    """Records the message of one event (`key`) and enqueues its sending once the surrounding
    transaction commits. Give the number as `phone` (plain, encrypted here) or as `phone_token`
    (already encrypted with PURPOSE, copied as it is). An event already queued is not queued
    again: its existing row is returned. A number that is not a mobile gets nothing (None)."""
    if phone and not is_mobile(phone):
        return None
    if phone:
        phone_token, masked = encrypt(phone, purpose=PURPOSE), mask(phone)
    elif phone_token:
        masked = ""
    else:
        return None
    text = text.strip()[:MAX_TEXT]
    existing = SmsMessage.objects.filter(key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            message = SmsMessage.objects.create(key=key[:150], kind=kind, user=user, to_encrypted=phone_token,
                                                to_masked=masked, text=text)
    except IntegrityError:  # the same event queued at the same moment by another worker
        return SmsMessage.objects.filter(key=key).first()
    if not masked and user is not None:
        preference = NotificationPreference.objects.filter(user=user).first()
        SmsMessage.objects.filter(pk=message.pk).update(to_masked=preference.mobile_masked if preference else "****")

    transaction.on_commit(lambda: sms_send.delay(message.pk))
    return message


def sms_deliver(*, message_id: int) -> str:
    """Sends one queued message, once: the row is claimed by a conditional update (queued, or a
    claim gone stale), so a second delivery of the task finds nothing to do. Returns the status
    afterwards. A transient failure puts the row back to queued and raises SmsTransientError
    for the task to retry, until MAX_ATTEMPTS; then, or on a rejection, the row is failed."""
    now = timezone.now()
    claimable = Q(status=SmsMessage.Status.QUEUED) | Q(status=SmsMessage.Status.SENDING, claimed_at__lt=now - STALE_CLAIM)
    claimed = SmsMessage.objects.filter(claimable, pk=message_id).update(
        status=SmsMessage.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    message = SmsMessage.objects.filter(pk=message_id).first()
    if message is None:
        return ""
    if not claimed:
        return message.status
    phone = decrypt(message.to_encrypted, purpose=PURPOSE)
    if not is_mobile(phone):
        _finish(message, SmsMessage.Status.FAILED, error="手机号码无法解密或不是手机号码。")
        return SmsMessage.Status.FAILED
    try:
        provider_id = get_backend().send(phone, message.text)
    except SmsTransientError as exc:
        if message.attempts >= MAX_ATTEMPTS:
            _finish(message, SmsMessage.Status.FAILED, error=f"重试 {message.attempts} 次仍失败：{exc}")
            return SmsMessage.Status.FAILED
        _finish(message, SmsMessage.Status.QUEUED, error=str(exc))
        raise
    except Exception as exc:  # a rejection, or a gateway adapter's bug: kept on the row, not retried
        logger.warning("SMS %s failed: %s", message.pk, exc)
        _finish(message, SmsMessage.Status.FAILED, error=str(exc) or exc.__class__.__name__)
        return SmsMessage.Status.FAILED
    _finish(message, SmsMessage.Status.SENT, provider_id=provider_id, sent_at=timezone.now())
    return SmsMessage.Status.SENT


@shared_task(name="core.tasks.sms_send", bind=True, time_limit=60, soft_time_limit=45, max_retries=MAX_ATTEMPTS)
def sms_send(self, message_id: int) -> str:
    """Sends one queued SMS (sms_deliver): claimed first, so a second delivery sends nothing. A
    transient gateway error is retried with backoff (30 s, 60 s, 120 s, … up to 30 min); run
    in-process (no broker) the attempts follow at once, and never raise into the caller."""
    while True:
        try:
            return sms_deliver(message_id=message_id)
        except SmsTransientError as exc:
            if not self.request.is_eager:
                raise self.retry(exc=exc, countdown=min(30 * 2 ** self.request.retries, 30 * 60)) from exc


def _finish(message: SmsMessage, status: str, *, error: str = "", **fields) -> None:
    SmsMessage.objects.filter(pk=message.pk, status=SmsMessage.Status.SENDING).update(
        status=status, error=error[:500], **fields)


# ---------------------------------------------------------------------------------------------
# Officers' settings


def notification_preference_save(*, user, sms_enabled: bool, mobile: str | None) -> NotificationPreference:
    """Saves the user's own SMS setting. `mobile` None keeps the number; "" removes it; a number
    must be a mainland mobile (InvalidInput otherwise)."""
    values: dict = {"sms_enabled": bool(sms_enabled)}
    if mobile is not None:
        digits = re.sub(r"[\s\-]", "", mobile)
        if digits.startswith("+86"):
            digits = digits[3:]
        if digits and not is_mobile(digits):
            raise InvalidInput("请填写正确的中国大陆手机号码（11 位，以 1 开头）。")
        values.update(mobile_encrypted=encrypt(digits, purpose=PURPOSE) if digits else "",
                      mobile_masked=mask(digits) if digits else "")
    preference, _created = NotificationPreference.objects.update_or_create(user=user, defaults=values)
    return preference


def sms_recipients(users) -> dict[int, str]:
    """{user id: encrypted mobile} of those users who take SMS and gave a number."""
    return dict(
        NotificationPreference.objects.filter(user__in=[u.pk for u in users], sms_enabled=True)
        .exclude(mobile_encrypted="").values_list("user_id", "mobile_encrypted")
    )
