"""Tracking page and rating: code + last four digits, public timeline, reply, rating once."""

import pytest

from complaints import services
from complaints.models import Satisfaction
from rectification.models import CaseEvent

from .factories import complaint

pytestmark = pytest.mark.django_db

URL = "/complaints/track/"


def test_tracking_needs_the_code_and_the_last_four_digits(client, estates):
    c = complaint(estates["haiyang_1"], phone="13812341234")
    wrong = client.post(URL, {"code": c.tracking_code, "last4": "0000"})
    assert wrong.status_code == 404 and "不正确" in wrong.content.decode()
    unknown = client.post(URL, {"code": "NOPE", "last4": "1234"})
    assert unknown.status_code == 404
    response = client.post(URL, {"code": c.tracking_code.lower(), "last4": "1234"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "已受理" in body and "海阳花园" in body
    assert "13812341234" not in body and "张三" not in body  # no personal data on a public page


def test_empty_tracking_form_is_400(client):
    assert client.post(URL, {}).status_code == 400


def test_reply_then_rating_through_the_tracking_page(client, estates, community_user):
    c = complaint(estates["haiyang_1"], phone="13812341234")
    services.complaint_reply(complaint_id=c.pk, user=community_user, reply="已督促物业清理完毕", method="phone")
    response = client.post(URL, {"code": c.tracking_code, "last4": "1234"})
    body = response.content.decode()
    assert "已督促物业清理完毕" in body and "您对办理结果是否满意" in body
    rated = client.post("/complaints/track/rate/", {"code": c.tracking_code, "last4": "1234", "satisfaction": "satisfied"})
    assert rated.status_code == 200 and "感谢您的评价" in rated.content.decode()
    c.refresh_from_db()
    assert c.satisfaction == Satisfaction.SATISFIED and c.rated_at
    again = client.post("/complaints/track/rate/", {"code": c.tracking_code, "last4": "1234", "satisfaction": "unsatisfied",
                                                    "comment": "x"})
    assert again.status_code == 409 and "已评价" in again.content.decode()


def test_unsatisfied_needs_a_reason_and_goes_on_the_case_timeline(client, estates, community_user, county_user):
    c = complaint(estates["haiyang_1"], phone="13812341234")
    services.complaint_reply(complaint_id=c.pk, user=community_user, reply="已处理", method="sms")
    no_reason = client.post("/complaints/track/rate/", {"code": c.tracking_code, "last4": "1234",
                                                        "satisfaction": "unsatisfied"})
    assert no_reason.status_code == 400 and "说明原因" in no_reason.content.decode()
    client.post("/complaints/track/rate/", {"code": c.tracking_code, "last4": "1234", "satisfaction": "unsatisfied",
                                            "comment": "根本没处理"})
    event = CaseEvent.objects.get(case_id=c.case_id, transition="complaint_rated")
    assert "不满意" in event.label and event.note == "根本没处理"
    from core.models import Notification

    assert Notification.objects.filter(user=county_user, title__contains="不满意").count() == 1


def test_rating_before_the_reply_is_refused(client, estates):
    c = complaint(estates["haiyang_1"], phone="13812341234")
    response = client.post("/complaints/track/rate/", {"code": c.tracking_code, "last4": "1234",
                                                       "satisfaction": "satisfied"})
    assert response.status_code == 409 and "办结并反馈后" in response.content.decode()


def test_bad_rating_values_are_400(client, estates):
    c = complaint(estates["haiyang_1"], phone="13812341234")
    response = client.post("/complaints/track/rate/", {"code": c.tracking_code, "last4": "1234", "satisfaction": "great"})
    assert response.status_code == 400


def test_anonymous_complaint_tracks_by_code_alone(client, estates):
    c = complaint(estates["haiyang_1"], phone="")
    response = client.post(URL, {"code": c.tracking_code})
    assert response.status_code == 200


def test_tracking_is_rate_limited(client, estates, settings):
    settings.COMPLAINTS_RATE_LIMITS = {**settings.COMPLAINTS_RATE_LIMITS, "track_ip": (3, 3600)}
    for _ in range(3):
        client.post(URL, {"code": "AAAA", "last4": "1111"})
    response = client.post(URL, {"code": "AAAA", "last4": "1111"})
    assert response.status_code == 429 and "稍后再试" in response.content.decode()


def test_only_this_browsers_signed_codes_open_progress_without_the_digits(client, estates):
    """The codes a browser submitted travel in a signed cookie: the browser's own opens the
    progress without the phone digits; a code written into the cookie by hand does not."""
    c = complaint(estates["haiyang_1"], phone="13812341234")
    client.cookies["complaint_codes"] = c.tracking_code  # forged: not signed by the server
    forged = client.get(URL, {"code": c.tracking_code})
    assert forged.status_code == 200 and "海阳花园" not in forged.content.decode()

    from django.http import HttpResponse

    from complaints.views import _remember_code

    signed = _remember_code(HttpResponse(), client.get(URL).wsgi_request, c.tracking_code)
    client.cookies["complaint_codes"] = signed.cookies["complaint_codes"].value
    trusted = client.get(URL, {"code": c.tracking_code})
    assert trusted.status_code == 200 and "海阳花园" in trusted.content.decode()
