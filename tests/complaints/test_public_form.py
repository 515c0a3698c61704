"""The public form: no login, estate search / QR preset, CAPTCHA, rate limits, upload checks."""

import re
import time
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from complaints import abuse
from complaints.models import Channel, Complaint
from core.net import client_ip
from tests.rectification.factories import PNG

from .factories import category, forged_jpg, jpg

pytestmark = pytest.mark.django_db

URL = "/complaints/new/"
QUESTION_RE = re.compile(r'data-testid="captcha-question">(\d+) (加|减) (\d+) 等于几')
TOKEN_RE = re.compile(r'name="captcha_token" value="([^"]+)"')


def _solve(html):
    """The answer and the signed token of the question on a page, as a visitor would send them."""
    a, op, b = QUESTION_RE.search(html).groups()
    return str(int(a) + int(b) if op == "加" else int(a) - int(b)), TOKEN_RE.search(html).group(1)


def _answer(client, path=URL):
    return _solve(client.get(path).content.decode())


def _post(client, estate_obj, **overrides):
    answer, token = _answer(client)
    data = {
        "estate": estate_obj.pk, "category": category("A1").pk, "description": "楼道垃圾一周没人清理",
        "name": "李四", "phone": "13812341234", "captcha": answer, "captcha_token": token,
    }
    data.update(overrides)
    return client.post(URL, data)


def test_the_form_opens_without_login_and_searches_estates(client, estates):
    response = client.get(URL, {"q": "海阳"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "海阳花园" in body and "横江苑" not in body
    assert "验证题" in body
    assert ">海阳镇</option>" in body and ">万安镇</option>" in body  # the towns of the search (cached)


def test_qr_code_link_presets_the_estate_and_marks_the_channel(client, estates):
    estate = estates["haiyang_1"]
    response = client.get(URL, {"estate": estate.pk})
    assert "海阳花园" in response.content.decode()
    response = _post(client, estate, via="qr")
    assert response.status_code == 302
    assert Complaint.objects.get().channel == Channel.QR_CODE


def test_submit_gives_a_tracking_code_and_keeps_it(client, estates):
    response = _post(client, estates["haiyang_1"], photos=[jpg()])
    assert response.status_code == 302 and response.url == reverse("complaints:public-done")
    complaint = Complaint.objects.get()
    assert complaint.channel == Channel.PUBLIC_FORM and complaint.case is not None
    assert complaint.attachments.count() == 1
    done = client.get(response.url)
    assert complaint.tracking_code in done.content.decode()
    # kept in a signed cookie (no session row for a resident), which a browser cannot forge
    assert client.cookies["complaint_codes"]["httponly"]
    assert client.cookies["complaint_codes"].value.startswith(complaint.tracking_code + ":")
    assert "sessionid" not in client.cookies
    # the phone number is stored encrypted, never in clear
    assert "13812341234" not in complaint.phone_encrypted and complaint.phone_hash


def test_a_script_renamed_jpg_is_refused_in_chinese(client, estates):
    response = _post(client, estates["haiyang_1"], photos=[forged_jpg("evil.jpg")])
    assert response.status_code == 400
    assert "evil.jpg" in response.content.decode() and "不是允许的类型" in response.content.decode()
    assert not Complaint.objects.exists()


def test_a_pdf_is_not_a_photo(client, estates):
    from tests.rectification.factories import pdf

    response = _post(client, estates["haiyang_1"], photos=[pdf()])
    assert response.status_code == 400 and "不是图片" in response.content.decode()


def test_more_than_five_photos_are_refused(client, estates):
    from django.core.files.uploadedfile import SimpleUploadedFile

    photos = [SimpleUploadedFile(f"p{i}.png", PNG, content_type="image/png") for i in range(6)]
    response = _post(client, estates["haiyang_1"], photos=photos)
    assert response.status_code == 400 and "最多上传 5 张" in response.content.decode()


def test_wrong_captcha_is_refused(client, estates):
    response = _post(client, estates["haiyang_1"], captcha="999")
    assert response.status_code == 400
    assert "验证题答案不正确" in response.content.decode()
    assert not Complaint.objects.exists()


def test_invalid_mobile_number_is_refused(client, estates):
    response = _post(client, estates["haiyang_1"], phone="12345")
    assert response.status_code == 400
    assert "手机号码" in response.content.decode()


def test_phone_or_anonymous_is_required(client, estates):
    response = _post(client, estates["haiyang_1"], phone="")
    assert response.status_code == 400 and "勾选匿名投诉" in response.content.decode()
    response = _post(client, estates["haiyang_1"], phone="", anonymous="on")
    assert response.status_code == 302
    assert Complaint.objects.get().is_anonymous


def test_missing_estate_or_bad_category_are_400_in_chinese(client, estates):
    response = _post(client, estates["haiyang_1"], estate="abc")
    assert response.status_code == 400 and "请选择列表中的小区" in response.content.decode()
    response = _post(client, estates["haiyang_1"], category="99999")
    assert response.status_code == 400 and "问题类别无效" in response.content.decode()
    response = _post(client, estates["haiyang_1"], category=category("A").pk)  # not a leaf
    assert response.status_code == 400


def test_a_number_used_too_often_is_flagged_not_refused(client, estates, settings):
    """Anyone can type a stranger's number: past the daily count the complaint is accepted and
    flagged for a person to check, so the owner of the number is never blocked."""
    settings.COMPLAINTS_RATE_LIMITS = {**settings.COMPLAINTS_RATE_LIMITS, "phone": (2, 3600)}
    estate = estates["haiyang_1"]
    assert [_post(client, estate).status_code for _ in range(3)] == [302, 302, 302]
    notes = list(Complaint.objects.order_by("pk").values_list("review_note", flat=True))
    assert notes[:2] == ["", ""] and "请核实是否本人投诉" in notes[2]
    assert _post(client, estate, phone="13912345678").status_code == 302
    assert Complaint.objects.order_by("-pk").first().review_note == ""


def test_a_filled_honeypot_is_refused(client, estates):
    response = _post(client, estates["haiyang_1"], website="http://spam.example")
    assert response.status_code == 400 and "提交失败" in response.content.decode()
    assert Complaint.objects.count() == 0


def test_a_form_answered_faster_than_a_person_can_is_refused(client, estates, settings):
    settings.COMPLAINTS_MIN_FILL_SECONDS = 4
    response = _post(client, estates["haiyang_1"])
    assert response.status_code == 400 and "提交过快" in response.content.decode()
    assert Complaint.objects.count() == 0
    answer, token = _answer(client)
    with time_machine.travel(timezone.now() + timedelta(seconds=5), tick=False):
        data = {"estate": estates["haiyang_1"].pk, "category": category("A1").pk, "description": "楼道垃圾一周没人清理",
                "name": "李四", "phone": "13812341234", "captcha": answer, "captcha_token": token}
        assert client.post(URL, data).status_code == 302


def test_the_ip_limit_is_a_sliding_window(estates, settings):
    settings.COMPLAINTS_RATE_LIMITS = {**settings.COMPLAINTS_RATE_LIMITS, "ip": (4, 3600)}
    start = timezone.now().replace(minute=50, second=0, microsecond=0)  # late in one bucket
    with time_machine.travel(start, tick=False):
        for _ in range(4):
            abuse.rate_limit_hit("ip", "10.1.1.1")
    # a fixed window would allow four more right after the hour; the sliding one does not
    with time_machine.travel(start + timedelta(minutes=15), tick=False), pytest.raises(abuse.RateLimited):
        abuse.rate_limit_hit("ip", "10.1.1.1")
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        abuse.rate_limit_hit("ip", "10.1.1.1")


def test_forwarded_for_is_believed_only_from_a_trusted_proxy(rf, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    spoofed = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4", REMOTE_ADDR="203.0.113.9")
    assert client_ip(spoofed) == "203.0.113.9"
    proxied = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7", REMOTE_ADDR="127.0.0.1")
    assert client_ip(proxied) == "198.51.100.7"  # the address nginx saw, not what the client wrote


def test_rate_limit_per_ip(client, estates, settings):
    settings.COMPLAINTS_RATE_LIMITS = {**settings.COMPLAINTS_RATE_LIMITS, "ip": (3, 3600)}
    estate = estates["haiyang_1"]
    phones = ["13800000001", "13800000002", "13800000003", "13800000004"]
    codes = [_post(client, estate, phone=p).status_code for p in phones]
    assert codes == [302, 302, 302, 429]
    assert Complaint.objects.count() == 3
    response = _post(client, estate, phone="13800000005", REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 429  # the same client address
    other = client.post(URL, {}, REMOTE_ADDR="10.0.0.8")
    assert other.status_code == 400  # another address is judged on its own (and this one is empty)


# ---------------------------------------------------------------------------------------------
# The signed question (complaints.abuse): nothing stored to show the form, one try per question


def _form_data(estate_obj, answer, token, **overrides):
    return {"estate": estate_obj.pk, "category": category("A1").pk, "description": "楼道垃圾一周没人清理",
            "name": "李四", "phone": "13812341234", "captcha": answer, "captcha_token": token, **overrides}


def test_a_question_is_spent_by_a_wrong_answer(client, estates):
    answer, token = _answer(client)
    wrong = client.post(URL, _form_data(estates["haiyang_1"], str(int(answer) + 1), token))
    assert wrong.status_code == 400 and "验证题答案不正确" in wrong.content.decode()
    again = client.post(URL, _form_data(estates["haiyang_1"], answer, token))
    assert again.status_code == 400 and "验证题已过期" in again.content.decode()
    assert not Complaint.objects.exists()


def test_an_answered_question_cannot_be_replayed(client, estates, settings):
    settings.COMPLAINTS_RATE_LIMITS = {**settings.COMPLAINTS_RATE_LIMITS, "phone": (10, 3600)}
    answer, token = _answer(client)
    assert client.post(URL, _form_data(estates["haiyang_1"], answer, token)).status_code == 302
    replay = client.post(URL, _form_data(estates["haiyang_1"], answer, token, phone="13912345678"))
    assert replay.status_code == 400 and "验证题已过期" in replay.content.decode()
    assert Complaint.objects.count() == 1


def test_a_missing_or_tampered_token_is_refused(client, estates):
    answer, token = _answer(client)
    for forged in ("", "abc", token[:-1] + ("A" if token[-1] != "A" else "B"),
                   signing.dumps({"n": "x", "h": "y"}, salt="another-salt")):
        response = client.post(URL, _form_data(estates["haiyang_1"], answer, forged))
        assert response.status_code == 400 and "验证题已过期" in response.content.decode()
    assert not Complaint.objects.exists()


def test_a_question_expires_after_30_minutes(client, estates, monkeypatch):
    real_time = time.time
    with monkeypatch.context() as m:
        m.setattr(time, "time", lambda: real_time() - abuse.CAPTCHA_MAX_AGE - 60)
        old = abuse.captcha_new()
    a, op, b = re.match(r"(\d+) (加|减) (\d+)", old.question).groups()
    answer = str(int(a) + int(b) if op == "加" else int(a) - int(b))
    response = client.post(URL, _form_data(estates["haiyang_1"], answer, old.token))
    assert response.status_code == 400 and "验证题已过期" in response.content.decode()
    # 29 minutes is still in time
    with monkeypatch.context() as m:
        m.setattr(time, "time", lambda: real_time() - abuse.CAPTCHA_MAX_AGE + 60)
        fresh_enough = abuse.captcha_new()
    a, op, b = re.match(r"(\d+) (加|减) (\d+)", fresh_enough.question).groups()
    answer = str(int(a) + int(b) if op == "加" else int(a) - int(b))
    assert client.post(URL, _form_data(estates["haiyang_1"], answer, fresh_enough.token)).status_code == 302


def test_the_token_does_not_carry_the_answer(client):
    for _ in range(20):
        captcha = abuse.captcha_new()
        a, op, b = re.match(r"(\d+) (加|减) (\d+)", captcha.question).groups()
        answer = str(int(a) + int(b) if op == "加" else int(a) - int(b))
        payload = signing.loads(captcha.token, salt=abuse.CAPTCHA_SALT)
        assert set(payload) == {"n", "h", "t"} and answer not in (payload["h"], payload["n"])
        assert abuse._answer_digest(payload["n"], answer) == payload["h"]


# ---------------------------------------------------------------------------------------------
# What one submission costs: the QR path (GET ?estate=<id>, POST) the bench drives


def test_showing_the_qr_form_reads_at_most_one_row_and_writes_nothing(client, estates, django_assert_num_queries):
    estate = estates["haiyang_1"]
    with django_assert_num_queries(2):  # the estate; the leaf categories (both then cached)
        client.get(URL, {"estate": estate.pk})
    with django_assert_num_queries(0):
        response = client.get(URL, {"estate": estate.pk})
    assert response.status_code == 200 and django_settings.SESSION_COOKIE_NAME not in response.cookies
    assert "海阳花园" in response.content.decode()


def test_a_qr_submission_pins_its_queries(client, estates, django_assert_num_queries, settings):
    """Before: 8 queries to show the form (3 estate reads, the category list through a cursor, the
    session read and write) and 27 to file it. The write (complaint, case clue, events) stays in one
    transaction under the estate's row lock."""
    estate = estates["haiyang_1"]
    first = client.post(f"{URL}?estate={estate.pk}", _form_data(estate, *_answer(client, f"{URL}?estate={estate.pk}"),
                                                                 via="qr"))
    assert first.status_code == 302  # opens the case; this browser now has its codes cookie
    data = _form_data(estate, *_answer(client, f"{URL}?estate={estate.pk}"), via="qr", phone="13912345678")
    # the posted estate; in a transaction (here a savepoint pair: the test runs in one): the
    # complaint, then clues_intake's 8 (its own savepoint pair, the estate's row lock, the open
    # cases, "has this number complained in them", the clue, its case event, the case's count),
    # the complaint's case and clue, its event. No session: the codes go in a signed cookie (the
    # session's read and write were 4 more, 3 with cached_db sessions)
    with django_assert_num_queries(14) as captured:
        response = client.post(f"{URL}?estate={estate.pk}", data)
    assert response.status_code == 302
    sql = [q["sql"] for q in captured.captured_queries]
    # no category, channel-rule, calendar or campaign reads: those are cached
    for table in ("campaigns_problemcategory", "complaints_channelrule", "core_calendarday", "campaigns_campaign"):
        assert not any(table in s for s in sql), table
    lock = next(s for s in sql if "FOR UPDATE" in s or s.startswith('SELECT "communities_estate"."id" AS'))
    assert "JOIN" not in lock  # the estate row alone
    complaint = Complaint.objects.filter(channel=Channel.QR_CODE).latest("pk")
    assert complaint.case.complainant_count == 2 and complaint.clue.case_id == complaint.case_id


def test_the_cached_fields_are_what_the_template_renders(client, estates, monkeypatch):
    from complaints import views

    def normalised(html):
        html = re.sub(r'name="(csrfmiddlewaretoken|captcha_token)" value="[^"]*"', "", html)
        html = re.sub(r'"X-CSRFToken": "[^"]*"', "", html)
        html = QUESTION_RE.sub("", html)
        return re.sub(r">\s+<", "><", html).strip()

    client.get(URL)
    cached = client.get(URL).content.decode()
    monkeypatch.setattr(views, "_static_fields", lambda form: None)
    rendered = client.get(URL).content.decode()
    assert 'name="description"' in cached and normalised(cached) == normalised(rendered)


def test_a_new_or_retired_category_shows_at_once(client, estates):
    from campaigns.models import ProblemCategory

    parent = category("A")
    client.get(URL)  # the list is cached now
    new = ProblemCategory.objects.create(code="A99", label="新增的问题类别", parent=parent, sort_order=999)
    assert "新增的问题类别" in client.get(URL).content.decode()
    new.is_active = False
    new.save()
    assert "新增的问题类别" not in client.get(URL).content.decode()
    answer, token = _answer(client)
    response = client.post(URL, _form_data(estates["haiyang_1"], answer, token, category=new.pk))
    assert response.status_code == 400 and "问题类别无效" in response.content.decode()


def test_the_qr_header_comes_from_the_cache_and_follows_a_rename(client, estates, django_assert_num_queries):
    """Everyone scanning one poster asks for the same estate: the header (name, community, town)
    is read once, then from the cache; renaming the estate shows at once."""
    estate = estates["haiyang_1"]
    first = client.get(f"{URL}?estate={estate.pk}").content.decode()
    assert "海阳花园" in first and "秀阳社区" in first
    with django_assert_num_queries(0):
        again = client.get(f"{URL}?estate={estate.pk}")
    assert again.status_code == 200 and "海阳花园" in again.content.decode()
    estate.name = "海阳花园（一期）"
    estate.save()
    assert "海阳花园（一期）" in client.get(f"{URL}?estate={estate.pk}").content.decode()
    assert client.get(f"{URL}?estate=999999").status_code == 200  # unknown: the search form, no error
