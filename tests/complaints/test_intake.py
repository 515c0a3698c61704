"""Staff intake: channel references are unique per channel, deadlines follow the channel rule."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from complaints import services
from complaints.models import Channel, ChannelRule, Complaint
from core.errors import Conflict, NotFound, PermissionDenied
from core.models import CalendarDay
from tests.conftest import login

from .factories import category, complaint

pytestmark = pytest.mark.django_db


def test_a_duplicate_12345_number_is_refused(estates, county_user):
    complaint(estates["haiyang_1"], channel=Channel.HOTLINE_12345, reference="GD2025000123", user=county_user)
    with pytest.raises(Conflict) as refused:
        complaint(estates["haiyang_2"], channel=Channel.HOTLINE_12345, reference="GD2025000123", user=county_user)
    assert "GD2025000123" in refused.value.message and "已登记" in refused.value.message
    # the same number in another channel is another document
    complaint(estates["haiyang_2"], channel=Channel.PETITION, reference="GD2025000123", user=county_user)
    assert Complaint.objects.count() == 2


def test_the_intake_page_refuses_a_duplicate_with_409(client, estates, county_user):
    login(client, county_user)
    data = {
        "channel": "12345", "reference": "GD1", "received_at": "2025-03-03T09:30", "estate": estates["haiyang_1"].pk,
        "category": category("A1").pk, "description": "保洁不到位", "complainant_name": "王五", "phone": "0559-7512345",
    }
    first = client.post("/complaints/intake/", data)
    assert first.status_code == 302
    second = client.post("/complaints/intake/", data)
    assert second.status_code == 409 and "已登记" in second.content.decode()
    assert client.post("/complaints/intake/", {**data, "estate": ""}).status_code == 400


def test_deadline_is_counted_in_working_days_from_the_channel_rule(estates, county_user):
    # received Friday 2025-09-26; 国庆 1–8 Oct off, Sat 27 Sep and Sat 11 Oct are make-up working days
    for day in range(1, 9):
        CalendarDay.objects.update_or_create(date=date(2025, 10, day), defaults={"is_workday": False, "name": "国庆节"})
    CalendarDay.objects.update_or_create(date=date(2025, 9, 28), defaults={"is_workday": True, "name": "调休"})
    ChannelRule.objects.create(channel=Channel.PETITION, deadline_workdays=3)
    received = timezone.make_aware(datetime(2025, 9, 26, 10, 0))
    c = complaint(estates["haiyang_1"], channel=Channel.PETITION, reference="XF-1", received_at=received, user=county_user)
    assert c.deadline == date(2025, 9, 30)  # Sun 28 (调休), Mon 29, Tue 30


def test_a_12345_work_order_keeps_its_own_deadline(estates, county_user):
    c = complaint(estates["haiyang_1"], channel=Channel.HOTLINE_12345, reference="GD9", deadline=date(2030, 1, 2),
                  user=county_user)
    assert c.deadline == date(2030, 1, 2)


def test_staff_can_only_register_in_their_scope(estates, town_user, city_user, enterprise_user):
    with pytest.raises(NotFound):
        complaint(estates["wanan_1"], user=town_user)
    for user in (city_user, enterprise_user):
        with pytest.raises(PermissionDenied):
            complaint(estates["haiyang_1"], user=user)


def test_a_future_received_time_is_refused(estates, county_user):
    with pytest.raises(services.MissingField):
        complaint(estates["haiyang_1"], user=county_user, received_at=timezone.now() + timezone.timedelta(days=2))


def test_reply_is_recorded_with_time_method_and_person(estates, community_user):
    c = complaint(estates["haiyang_1"])
    services.complaint_reply(complaint_id=c.pk, user=community_user, reply="已清理", method="phone")
    c.refresh_from_db()
    assert c.status == "handled" and c.replied_by == community_user and c.replied_at
    assert c.events.filter(kind="replied", is_public=True).exists()


def test_feedback_overdue_flags_a_handled_case_without_reply(estates):
    from rectification.models import Case

    c = complaint(estates["haiyang_1"], deadline=date(2024, 1, 5))
    Case.objects.filter(pk=c.case_id).update(state="closed")
    assert list(Complaint.objects.feedback_overdue()) == [c]
    assert Complaint.objects.get(pk=c.pk).is_feedback_overdue


def test_the_intake_page_offers_only_the_estates_matching_the_typed_name(client, estates, county_user):
    login(client, county_user)
    form = client.get("/complaints/intake/", {"estate_q": "城北"}).context["form"]
    assert list(form.fields["estate"].queryset) == [estates["haiyang_2"]]
    everything = client.get("/complaints/intake/").context["form"]
    assert set(everything.fields["estate"].queryset) == {estates["haiyang_1"], estates["haiyang_2"], estates["wanan_1"]}


def test_the_list_filters_by_typed_estate_name(client, estates, county_user):
    a = complaint(estates["haiyang_2"])
    complaint(estates["haiyang_1"])
    login(client, county_user)
    assert [c.pk for c in client.get("/complaints/", {"estate_name": "城北"}).context["page"]] == [a.pk]
