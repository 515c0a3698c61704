"""The loop closed back to the complainant: a finished case puts its complaints in 待反馈 with a
draft reply, the tracking page says 已办结 only once the reply is sent, 回访 ratings count in
满意率 like the residents' own, an unsatisfied result reopens the case with a reason, and the
12345 replies export in the platform's return format."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from complaints import selectors, services
from complaints.models import Channel, Complaint, ComplaintStatus
from core.errors import DomainError, InvalidState
from rectification.models import CaseEvent, CaseState
from rectification.services import case_transition
from tests.conftest import login
from tests.rectification.factories import png

from .factories import complaint

pytestmark = pytest.mark.django_db

CONFIRM = {
    "verification_result": "true", "verification_note": "属实", "measures": "更换电梯控制柜",
    "responsible_unit": "海阳物业公司", "responsible_person": "李强",
    "deadline": timezone.localdate() + timedelta(days=10),
}


def close(case_id, worker, county):
    case_transition(case_id=case_id, user=worker, transition="start_verification")
    case_transition(case_id=case_id, user=worker, transition="confirm", **CONFIRM)
    case_transition(case_id=case_id, user=worker, transition="request_closure", note="已完成", files=[png()])
    return case_transition(case_id=case_id, user=county, transition="close", note="验收合格")


def hotline(estate, county, phone="13800000001", reference="GD1"):
    return complaint(estate, phone=phone, channel=Channel.HOTLINE_12345, user=county, reference=reference)


def test_closing_a_case_puts_its_complaints_in_reply_due_with_a_draft(estates, county_user, community_user):
    first = complaint(estates["haiyang_1"])
    second = complaint(estates["haiyang_1"], phone="13800002222")
    close(first.case_id, community_user, county_user)
    for c in Complaint.objects.filter(pk__in=[first.pk, second.pk]):
        assert c.status == ComplaintStatus.REPLY_DUE
        assert "已整改完成并销号" in c.reply and "更换电梯控制柜" in c.reply
        assert c.replied_at is None and c.reply_deadline > timezone.localdate()
    due = selectors.reply_due_for_home(user=county_user)
    assert due["total"] == 2 and due["overdue"] == 0


def test_a_case_found_untrue_asks_for_a_reply_too(estates, county_user, community_user):
    c = complaint(estates["haiyang_1"])
    case_transition(case_id=c.case_id, user=community_user, transition="start_verification")
    case_transition(case_id=c.case_id, user=community_user, transition="not_true", reason="电梯运行正常")
    c.refresh_from_db()
    assert c.status == ComplaintStatus.REPLY_DUE and "不属实" in c.reply and "电梯运行正常" in c.reply


def test_the_tracking_page_says_done_only_after_the_reply_and_then_opens_the_rating(client, estates, county_user,
                                                                                      community_user):
    c = complaint(estates["haiyang_1"], phone="13800001111")
    close(c.case_id, community_user, county_user)
    page = client.post("/complaints/track/", {"code": c.tracking_code, "last4": "1111"}).content.decode()
    assert 'aria-current="step">整改中' in page and "已整改完成并销号" not in page  # the draft is not shown
    assert 'data-testid="rate-form"' not in page
    with pytest.raises(InvalidState):
        services.complaint_rate(tracking_code=c.tracking_code, phone_last4="1111", satisfaction="satisfied")
    login(client, county_user)
    assert client.post(f"/complaints/{c.pk}/reply/", {"reply": "电梯已修复，欢迎监督。", "method": "phone"}).status_code == 302
    client.logout()
    page = client.post("/complaints/track/", {"code": c.tracking_code, "last4": "1111"}).content.decode()
    assert 'aria-current="step">已办结' in page and "电梯已修复" in page and 'data-testid="rate-form"' in page


def test_a_return_call_rating_counts_in_the_satisfaction_rate(estates, county_user, community_user):
    called = hotline(estates["haiyang_1"], county_user)
    online = complaint(estates["haiyang_1"], phone="13800003333")
    close(called.case_id, community_user, county_user)
    for c in (called, online):
        services.complaint_reply(complaint_id=c.pk, user=county_user, reply="已办结", method="phone")
    with pytest.raises(InvalidState):  # a resident of the public form rates it themselves
        services.complaint_record_return_call(complaint_id=online.pk, user=county_user, satisfaction="satisfied")
    services.complaint_record_return_call(complaint_id=called.pk, user=county_user, satisfaction="basically")
    services.complaint_rate(tracking_code=online.tracking_code, phone_last4="3333", satisfaction="unsatisfied",
                            comment="还是坏")
    called.refresh_from_db()
    assert called.rating_source == "return_call" and called.rated_by == county_user
    stats = selectors.satisfaction_summary(Complaint.objects.filter(pk__in=[called.pk, online.pk]))
    assert stats["rated"] == 2 and stats["satisfaction_rate"] == 50.0
    with pytest.raises(DomainError):  # rated once
        services.complaint_record_return_call(complaint_id=called.pk, user=county_user, satisfaction="satisfied")


def test_an_unsatisfied_result_reopens_the_case_with_a_reason(client, estates, county_user, community_user):
    c = hotline(estates["haiyang_1"], county_user)
    close(c.case_id, community_user, county_user)
    services.complaint_reply(complaint_id=c.pk, user=county_user, reply="已修复", method="phone")
    services.complaint_record_return_call(complaint_id=c.pk, user=county_user, satisfaction="unsatisfied",
                                          comment="电梯还是经常停")
    login(client, county_user)
    assert 'data-testid="reopen-form"' in client.get(f"/complaints/{c.pk}/").content.decode()
    assert client.post(f"/complaints/{c.pk}/reopen/", {"reason": ""}).status_code == 400
    assert client.post(f"/complaints/{c.pk}/reopen/", {"reason": "回访不满意，复查"}).status_code == 302
    c.refresh_from_db()
    assert c.case.state == CaseState.RECTIFYING and c.status == ComplaintStatus.RECEIVED and c.satisfaction == ""
    event = CaseEvent.objects.filter(case=c.case, transition="reopen").get()
    assert "回访不满意，复查" in event.note
    assert c.events.filter(kind="reopened").exists()


def test_a_satisfied_complaint_cannot_reopen(estates, county_user, community_user):
    c = hotline(estates["haiyang_1"], county_user)
    close(c.case_id, community_user, county_user)
    services.complaint_reply(complaint_id=c.pk, user=county_user, reply="已修复", method="phone")
    services.complaint_record_return_call(complaint_id=c.pk, user=county_user, satisfaction="satisfied")
    with pytest.raises(InvalidState):
        services.complaint_reopen(complaint_id=c.pk, user=county_user, reason="x")


def test_the_12345_replies_export_in_the_platforms_return_format(client, estates, county_user, community_user,
                                                                  other_town_user):
    c = hotline(estates["haiyang_1"], county_user, reference="GD20250601")
    close(c.case_id, community_user, county_user)
    services.complaint_reply(complaint_id=c.pk, user=county_user, reply="电梯已修复", method="platform")
    services.complaint_record_return_call(complaint_id=c.pk, user=county_user, satisfaction="satisfied")
    login(client, county_user)
    today = timezone.localdate().isoformat()
    response = client.get(f"/complaints/replies.xlsx?from={today}&to={today}")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("工单编号", "办理结果", "回复内容", "办结时间", "满意度")
    assert rows[1][:3] == ("GD20250601", "已办结", "电梯已修复") and rows[1][4] == "满意"
    assert client.get("/complaints/replies.xlsx?from=2026-02-01&to=2025-01-01").status_code == 400
    login(client, other_town_user)
    rows = list(load_workbook(io.BytesIO(client.get(f"/complaints/replies.xlsx?from={today}&to={today}").content))
                .active.iter_rows(values_only=True))
    assert len(rows) == 1  # another town's officer gets the header only


def test_the_api_replies_records_the_return_call_and_reopens(api_client, estates, county_user, community_user,
                                                               other_town_user):
    c = hotline(estates["haiyang_1"], county_user)
    close(c.case_id, community_user, county_user)
    api_client.force_authenticate(other_town_user)
    assert api_client.post(f"/api/v1/complaints/{c.pk}/reply/", {"reply": "x", "method": "phone"}).status_code == 404
    api_client.force_authenticate(county_user)
    assert api_client.get(f"/api/v1/complaints/{c.pk}/").json()["status"] == "reply_due"
    assert api_client.post(f"/api/v1/complaints/{c.pk}/reply/", {"reply": "", "method": "phone"}).status_code == 400
    answer = api_client.post(f"/api/v1/complaints/{c.pk}/reply/", {"reply": "电梯已修复", "method": "phone"})
    assert answer.status_code == 200 and answer.json()["status"] == "handled"
    rated = api_client.post(f"/api/v1/complaints/{c.pk}/return-call/", {"satisfaction": "unsatisfied", "comment": "没修好"})
    assert rated.status_code == 200 and rated.json()["rating_source"] == "return_call"
    reopened = api_client.post(f"/api/v1/complaints/{c.pk}/reopen/", {"reason": "复查"})
    assert reopened.status_code == 200 and reopened.json()["status"] == "received"
    assert api_client.post(f"/api/v1/complaints/{c.pk}/reopen/", {"reason": "再来"}).status_code == 409


def test_a_finished_case_stops_the_handling_clock_and_starts_the_feedback_one(estates, county_user, community_user):
    from datetime import date

    c = complaint(estates["haiyang_1"])
    Complaint.objects.filter(pk=c.pk).update(deadline=date(2024, 1, 5))  # long past its handling deadline
    assert list(Complaint.objects.overdue()) == [c]
    close(c.case_id, community_user, county_user)
    c.refresh_from_db()
    assert not c.is_overdue and list(Complaint.objects.overdue()) == []
    assert not c.is_feedback_overdue
    Complaint.objects.filter(pk=c.pk).update(reply_deadline=date(2024, 1, 9))
    assert list(Complaint.objects.feedback_overdue()) == [c]
    stats = selectors.complaint_statistics(user=county_user)
    assert stats["total"]["overdue"] == 0 and stats["total"]["feedback_overdue"] == 1
