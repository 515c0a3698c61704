"""The public form: no login, estate search / QR preset, CAPTCHA, rate limits, upload checks."""

import pytest
from django.urls import reverse

from complaints.abuse import CAPTCHA_SESSION_KEY
from complaints.models import Channel, Complaint
from tests.rectification.factories import PNG

from .factories import category, forged_jpg, jpg

pytestmark = pytest.mark.django_db

URL = "/complaints/new/"


def _answer(client):
    client.get(URL)
    return str(client.session[CAPTCHA_SESSION_KEY]["a"])


def _post(client, estate_obj, **overrides):
    data = {
        "estate": estate_obj.pk, "category": category("A1").pk, "description": "楼道垃圾一周没人清理",
        "name": "李四", "phone": "13812341234", "captcha": _answer(client),
    }
    data.update(overrides)
    return client.post(URL, data)


def test_the_form_opens_without_login_and_searches_estates(client, estates):
    response = client.get(URL, {"q": "海阳"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "海阳花园" in body and "横江苑" not in body
    assert "验证题" in body


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
    assert client.session["complaint_codes"] == [complaint.tracking_code]
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


def test_rate_limit_per_phone(client, estates, settings):
    settings.COMPLAINTS_RATE_LIMITS = {**settings.COMPLAINTS_RATE_LIMITS, "phone": (2, 3600)}
    estate = estates["haiyang_1"]
    assert _post(client, estate).status_code == 302
    assert _post(client, estate).status_code == 302
    response = _post(client, estate)
    assert response.status_code == 429
    assert "同一手机号" in response.content.decode()
    # another number from the same browser still gets through
    assert _post(client, estate, phone="13912345678").status_code == 302


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
