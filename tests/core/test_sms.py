"""SMS (短信): the complainant of a hotline complaint is texted once on intake and once on reply,
even when the tasks run twice; officers' daily digest; opt-out; retries; the HTTP gateway adapter."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs

import pytest
from django.utils import timezone

from accounts.models import Role
from complaints import notify, services
from complaints.importer import import_12345
from complaints.models import Channel
from core import sms
from core.models import Notification, SmsMessage
from core.tasks import sms_send
from rectification.services import deadline_digest_send
from rectification.tasks import send_deadline_digest
from tests.complaints.factories import HEADERS, complaint, xlsx
from tests.conftest import login
from tests.factories import UserFactory
from tests.rectification.factories import rectifying_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def outbox(settings):
    settings.SMS_BACKEND = "core.sms.MemoryBackend"
    settings.SMS_SIGNATURE = "休宁物业整治"
    settings.PUBLIC_BASE_URL = "https://wuye.example.gov.cn"
    sms.MemoryBackend.outbox = []
    return sms.MemoryBackend.outbox


def test_a_hotline_complaint_is_texted_once_on_intake_and_once_on_reply(estates, county_user, outbox,
                                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        c = complaint(estates["haiyang_1"], channel=Channel.HOTLINE_12345, reference="GD20261203001",
                      phone="13912345678", user=county_user)
    assert len(outbox) == 1
    phone, text = outbox[0]
    assert phone == "13912345678"
    assert c.tracking_code in text and text.startswith("【休宁物业整治】") and "12345热线" in text
    assert "https://wuye.example.gov.cn/complaints/track/" in text
    message = SmsMessage.objects.get()
    assert message.status == SmsMessage.Status.SENT and message.attempts == 1
    assert message.to_masked == "139****5678" and "13912345678" not in message.to_encrypted

    # the task delivered twice, and the send task delivered twice: nothing more is sent
    notify.complaint_sms([c.pk], notify.RECEIVED)
    sms_send.delay(message.pk)
    assert len(outbox) == 1 and SmsMessage.objects.count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        services.complaint_reply(complaint_id=c.pk, user=county_user, reply="电梯已修复并通过检验", method="sms")
    assert len(outbox) == 2
    assert "电梯已修复并通过检验" in outbox[1][1] and c.tracking_code in outbox[1][1]
    assert "回访" in outbox[1][1]  # a hotline complainant is called back, not sent to the rating page
    notify.complaint_sms([c.pk], notify.REPLIED)
    notify.complaint_sms([c.pk], notify.REPLIED)
    assert len(outbox) == 2
    assert sorted(SmsMessage.objects.values_list("kind", flat=True)) == ["complaint_received", "complaint_replied"]


def test_every_intake_channel_texts_a_mobile_and_never_a_landline(estates, county_user, outbox,
                                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        public = complaint(estates["haiyang_1"], phone="13800001111")  # public form
        petition = complaint(estates["haiyang_2"], channel=Channel.PETITION, reference="XF-1", phone="13700002222",
                             user=county_user)
        complaint(estates["haiyang_1"], channel=Channel.REPORT_PHONE, phone="0559-7512345", user=county_user)
        complaint(estates["haiyang_1"], channel=Channel.REPORT_PHONE, phone="", user=county_user)
    texts = dict(outbox)
    assert set(texts) == {"13800001111", "13700002222"}
    assert public.tracking_code in texts["13800001111"] and petition.tracking_code in texts["13700002222"]


def test_the_12345_import_texts_each_caller_once(estates, county_user, outbox, django_capture_on_commit_callbacks):
    rows = [
        ["GD-S1", "2025-03-03 09:00", "王一", "13611112222", "电梯停运", "海阳镇", "海阳花园", "A1", ""],
        ["GD-S2", "2025-03-03 10:00", "王二", "0559-7512345", "电梯停运两天", "海阳镇", "城北佳苑", "A1", ""],
    ]
    with django_capture_on_commit_callbacks(execute=True):
        result = import_12345(xlsx(rows, headers=HEADERS), user=county_user, valid_only=True)
    assert result.imported == 2
    assert [phone for phone, _text in outbox] == ["13611112222"]
    with django_capture_on_commit_callbacks(execute=True):
        import_12345(xlsx(rows, headers=HEADERS), user=county_user, valid_only=True)  # duplicates: skipped
    assert len(outbox) == 1


def test_a_transient_failure_is_retried_and_a_rejection_is_kept(estates, outbox, monkeypatch):
    message = sms.sms_queue(key="t:1", kind="test", text="你好", phone="13800001111")
    calls = []

    def flaky(self, phone, text):
        calls.append(phone)
        if len(calls) == 1:
            raise sms.SmsTransientError("网关超时")
        return "gw-1"

    monkeypatch.setattr(sms.MemoryBackend, "send", flaky)
    with pytest.raises(sms.SmsTransientError):
        sms.sms_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.error) == ("queued", 1, "网关超时")
    assert sms.sms_deliver(message_id=message.pk) == "sent"
    message.refresh_from_db()
    assert (message.status, message.attempts, message.provider_id) == ("sent", 2, "gw-1")

    def refuse(self, phone, text):
        raise sms.SmsRejected("号码为空号")

    monkeypatch.setattr(sms.MemoryBackend, "send", refuse)
    rejected = sms.sms_queue(key="t:2", kind="test", text="你好", phone="13800001111")
    assert sms.sms_deliver(message_id=rejected.pk) == "failed"
    rejected.refresh_from_db()
    assert rejected.error == "号码为空号" and rejected.attempts == 1
    assert sms.sms_deliver(message_id=rejected.pk) == "failed"  # not claimed again


def test_a_stale_claim_is_taken_over_but_a_fresh_one_is_not(estates, outbox):
    message = sms.sms_queue(key="t:3", kind="test", text="你好", phone="13800001111")
    SmsMessage.objects.filter(pk=message.pk).update(status="sending", claimed_at=timezone.now())
    assert sms.sms_deliver(message_id=message.pk) == "sending" and outbox == []
    SmsMessage.objects.filter(pk=message.pk).update(claimed_at=timezone.now() - timedelta(hours=1))
    assert sms.sms_deliver(message_id=message.pk) == "sent" and len(outbox) == 1


def test_the_daily_digest_reaches_officers_once_and_respects_opt_out(estates, town_user, community_user, outbox,
                                                                      django_capture_on_commit_callbacks):
    today = timezone.localdate()
    rectifying_case(estates["haiyang_1"], deadline=today - timedelta(days=2))
    rectifying_case(estates["haiyang_2"], deadline=today + timedelta(days=1))
    rectifying_case(estates["wanan_1"], deadline=today + timedelta(days=30))
    sms.notification_preference_save(user=town_user, sms_enabled=True, mobile="13855556666")
    sms.notification_preference_save(user=community_user, sms_enabled=False, mobile="13877778888")
    idle = UserFactory(username="town-idle", role=Role.TOWN, region=town_user.region.parent.children.get(name="万安镇"))
    sms.notification_preference_save(user=idle, sms_enabled=True, mobile="13899990000")

    with django_capture_on_commit_callbacks(execute=True):
        assert send_deadline_digest.delay().get() == 2
    town_note = Notification.objects.get(user=town_user)
    assert "已超期 1 件" in town_note.title and "3 日内到期 1 件" in town_note.title
    community_note = Notification.objects.get(user=community_user)  # 秀阳社区: only the overdue case
    assert "已超期 1 件" in community_note.title and "到期" not in community_note.title.replace("到期提醒", "")
    assert not Notification.objects.filter(user=idle).exists()  # 万安镇: nothing due within 3 days
    assert [phone for phone, _text in outbox] == ["13855556666"]  # the community officer switched SMS off
    assert "已超期1件" in outbox[0][1].replace(" ", "")

    with django_capture_on_commit_callbacks(execute=True):
        assert deadline_digest_send(today=today) == 0  # run again the same day: nothing twice
    assert len(outbox) == 1 and Notification.objects.filter(user=town_user).count() == 1


def test_the_settings_page_switches_sms_and_masks_the_number(client, town_user, django_assert_max_num_queries):
    login(client, town_user)
    page = client.get("/notifications/settings/")
    assert page.status_code == 200 and "接收短信提醒" in page.content.decode()
    bad = client.post("/notifications/settings/", {"sms_enabled": "on", "mobile": "12345"})
    assert bad.status_code == 400 and "手机号码" in bad.content.decode()
    assert client.post("/notifications/settings/", {"sms_enabled": "on", "mobile": "138 5555 6666"}).status_code == 302
    for n in range(12):  # the list shows the last ten messages, in a fixed number of queries
        sms.sms_queue(key=f"list:{n}", kind="test", text=f"短信{n}", phone_token="x", user=town_user)
    with django_assert_max_num_queries(8):
        page = client.get("/notifications/settings/").content.decode()
    assert "138****6666" in page and page.count("短信1") >= 1 and "13855556666" not in page
    assert client.post("/notifications/settings/", {"mobile": ""}).status_code == 302  # switched off, number kept
    preference = town_user.notification_preference
    preference.refresh_from_db()
    assert preference.sms_enabled is False and preference.mobile_masked == "138****6666"
    assert sms.sms_recipients([town_user]) == {}


class _Gateway(BaseHTTPRequestHandler):
    requests: list = []
    answer = {"code": "0", "msgid": "abc-1"}

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        _Gateway.requests.append((self.path, dict(self.headers), body))
        payload = json.dumps(_Gateway.answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway():
    server = HTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Gateway.requests = []
    yield f"http://127.0.0.1:{server.server_address[1]}/sms/send"
    server.shutdown()


def test_the_http_gateway_adapter(gateway):
    backend = sms.HttpGatewayBackend({
        "URL": gateway, "PHONE_PARAM": "to", "TEXT_PARAM": "msg", "EXTRA_PARAMS": {"sign": "休宁住建"},
        "AUTH_TOKEN": "secret", "SUCCESS_FIELD": "code", "ID_FIELD": "msgid",
    })
    assert backend.send("13800001111", "您的投诉已受理") == "abc-1"
    path, headers, body = _Gateway.requests[0]
    assert path == "/sms/send" and headers["Authorization"] == "Bearer secret"
    assert parse_qs(body) == {"to": ["13800001111"], "msg": ["您的投诉已受理"], "sign": ["休宁住建"]}

    _Gateway.answer = {"code": "4001", "msg": "签名未报备"}
    with pytest.raises(sms.SmsRejected, match="4001"):
        backend.send("13800001111", "x")
    _Gateway.answer = {"code": "0", "msgid": "abc-1"}
    json_backend = sms.HttpGatewayBackend({"URL": gateway, "BODY": "json", "SUCCESS_FIELD": "code"})
    json_backend.send("13800001111", "x")
    assert json.loads(_Gateway.requests[-1][2]) == {"mobile": "13800001111", "content": "x"}
    with pytest.raises(sms.SmsTransientError):
        sms.HttpGatewayBackend({"URL": "http://127.0.0.1:9/none", "TIMEOUT": 2}).send("13800001111", "x")


def test_the_task_retries_a_transient_failure_and_gives_up_quietly(estates, outbox, monkeypatch,
                                                                   django_capture_on_commit_callbacks):
    """In-process (no Redis) the retries run at once; whatever the gateway does, the intake that
    queued the message never sees an error."""
    calls = []

    def down(self, phone, text):
        calls.append(phone)
        raise sms.SmsTransientError("网关不可用")

    monkeypatch.setattr(sms.MemoryBackend, "send", down)
    with django_capture_on_commit_callbacks(execute=True):
        message = sms.sms_queue(key="t:4", kind="test", text="你好", phone="13800001111")
    message.refresh_from_db()
    assert message.status == "failed" and message.attempts == sms.MAX_ATTEMPTS == len(calls)
    assert "网关不可用" in message.error
