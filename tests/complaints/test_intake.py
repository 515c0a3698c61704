"""Staff intake: channel references are unique per channel, deadlines follow the channel rule."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from complaints import services
from complaints.models import Channel, ChannelRule, Complaint
from core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from core.models import CalendarDay
from tests.conftest import login

from .factories import category, complaint

pytestmark = pytest.mark.django_db


def test_a_duplicate_12345_number_is_refused(estates, county_user):
    complaint(estates["haiyang_1"], channel=Channel.HOTLINE_12345, reference="GD2025000123", user=county_user)
    with pytest.raises(Conflict) as refused:
        complaint(estates["haiyang_2"], channel=Channel.HOTLINE_12345, reference="GD2025000123", user=county_user)
    first = Complaint.objects.get()
    assert "GD2025000123" in refused.value.message and "已登记" in refused.value.message
    assert first.tracking_code in refused.value.message  # in scope: named, so it can be found
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
    with pytest.raises(InvalidInput):
        complaint(estates["haiyang_1"], user=county_user, received_at=timezone.now() + timezone.timedelta(days=2))


def test_reply_is_recorded_with_time_method_and_person(estates, community_user):
    c = complaint(estates["haiyang_1"])
    services.complaint_reply(complaint_id=c.pk, user=community_user, reply="已清理", method="phone")
    c.refresh_from_db()
    assert c.status == "handled" and c.replied_by == community_user and c.replied_at
    assert c.events.filter(kind="replied", is_public=True).exists()


def test_feedback_overdue_flags_a_reply_due_past_its_feedback_limit(estates):
    from rectification.models import Case

    c = complaint(estates["haiyang_1"])
    Complaint.objects.filter(pk=c.pk).update(deadline=date(2024, 1, 5))  # long past: the service refuses it
    Case.objects.filter(pk=c.case_id).update(state="closed")
    assert list(Complaint.objects.feedback_overdue()) == []  # the case's state alone says nothing
    Complaint.objects.filter(pk=c.pk).update(status="reply_due", reply_deadline=date(2024, 1, 9))
    assert list(Complaint.objects.feedback_overdue()) == [c]
    assert Complaint.objects.get(pk=c.pk).is_feedback_overdue
    Complaint.objects.filter(pk=c.pk).update(reply_deadline=date.today() + timedelta(days=3))
    assert list(Complaint.objects.feedback_overdue()) == []


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


# ---------------------------------------------------------------------------------------------
# Reference data cached for the public form (complaints.services): a save is seen at once


def test_a_new_channel_rule_or_holiday_changes_the_next_deadline(estates):
    received = timezone.make_aware(datetime(2025, 9, 22, 10, 0))  # a Monday
    assert services.deadline_for(Channel.PETITION, received) == services.deadline_for(Channel.PETITION, received)
    ChannelRule.objects.create(channel=Channel.PETITION, deadline_workdays=3)
    assert services.deadline_workdays(Channel.PETITION) == 3
    assert services.deadline_for(Channel.PETITION, received) == date(2025, 9, 25)
    CalendarDay.objects.update_or_create(date=date(2025, 9, 24), defaults={"is_workday": False, "name": "测试休息日"})
    assert services.deadline_for(Channel.PETITION, received) == date(2025, 9, 26)
    rule = ChannelRule.objects.get(channel=Channel.PETITION)
    rule.delete()
    assert services.deadline_workdays(Channel.PETITION) != 3


def test_the_cached_campaign_is_the_most_local_active_one(estates, tree):
    from campaigns.models import Campaign

    estate = estates["haiyang_1"]
    assert services.campaign_for(estate) is None
    county = Campaign.objects.create(name="县行动", region=tree["county"], start_date=date(2025, 3, 1), end_date=date(2025, 12, 31))
    assert services.campaign_for(estate) == county == services.campaign_for(estate)
    town = Campaign.objects.create(name="镇行动", region=tree["haiyang"], start_date=date(2025, 1, 1), end_date=date(2025, 12, 31))
    assert services.campaign_for(estate) == town == services.campaign_for(estate)
    assert services.campaign_for(estates["wanan_1"]) == county == services.campaign_for(estates["wanan_1"])
    town.is_active = False
    town.save()
    assert services.campaign_for(estate) == county
    c = complaint(estate)
    assert c.case.campaign == county


def test_a_category_that_gained_a_child_is_refused_for_staff_too(estates, county_user):
    from campaigns.models import ProblemCategory

    a1 = category("A1")
    complaint(estates["haiyang_1"], user=county_user)  # the leaf list is cached now
    ProblemCategory.objects.create(code="A1x", label="细分", parent=a1)
    with pytest.raises(InvalidInput):
        complaint(estates["haiyang_1"], user=county_user)


@pytest.mark.skipif("postgresql" not in __import__("django.conf").conf.settings.DATABASES["default"]["ENGINE"],
                    reason="并发并案测试需要 PostgreSQL（SQLite 没有行锁）")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_complaints_of_one_estate_make_one_case_counting_people_once(estates):
    """多人同诉 under concurrency: the estate's row lock orders the joins, so the same number
    filed twice at once still counts one complainant, and only one case opens."""
    import threading

    from django.db import connections

    from rectification.models import Case

    estate = estates["haiyang_1"]
    phones = ["13800000001", "13800000001", "13800000002", "", "13800000003", "13800000001"]
    barrier = threading.Barrier(len(phones))
    errors = []

    def file(phone):
        try:
            barrier.wait(timeout=10)
            complaint(estate, phone=phone)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=file, args=(p,)) for p in phones]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    case = Case.objects.get(estate=estate)
    assert case.clues.count() == 6
    assert case.complainant_count == 4 == services.case_complainant_count(case.pk)  # 3 numbers + 1 anonymous


def test_a_duplicate_of_another_town_is_refused_without_telling_anything(api_client, estates, town_user,
                                                                         other_town_user):
    theirs = complaint(estates["wanan_1"], channel=Channel.HOTLINE_12345, reference="GD2025000777",
                       user=other_town_user)
    with pytest.raises(Conflict) as refused:
        complaint(estates["haiyang_1"], channel=Channel.HOTLINE_12345, reference="GD2025000777", user=town_user)
    assert refused.value.message == "该渠道编号无法登记，请核对。"
    api_client.force_authenticate(town_user)
    payload = {"channel": "12345", "reference": "GD2025000777", "estate": estates["haiyang_1"].pk, "category": "A1",
               "description": "电梯困人", "phone": "13812345678"}
    response = api_client.post("/api/v1/complaints/", payload, format="json")
    assert response.status_code == 409 and response.json()["detail"] == "该渠道编号无法登记，请核对。"
    assert theirs.tracking_code not in response.content.decode() and "万安" not in response.content.decode()
    assert Complaint.objects.count() == 1


@pytest.mark.parametrize("deadline", ["2000-01-01", "2025-04-30"])
def test_a_deadline_before_the_day_received_is_refused(api_client, estates, county_user, deadline):
    api_client.force_authenticate(county_user)
    payload = {"channel": "12345", "reference": "GD88", "estate": estates["haiyang_1"].pk, "category": "A1",
               "description": "电梯困人", "phone": "13812345678", "received_at": "2025-05-01T10:00:00+08:00",
               "deadline": deadline}
    response = api_client.post("/api/v1/complaints/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == f"办理时限 {deadline} 早于受理日期或已过去一年以上，请核对。"
    assert not Complaint.objects.exists()


def test_a_deadline_long_past_is_refused_even_for_an_old_work_order(estates, county_user):
    received = timezone.make_aware(datetime(2001, 1, 2, 9, 0))
    with pytest.raises(InvalidInput):
        complaint(estates["haiyang_1"], channel=Channel.HOTLINE_12345, reference="GD89", received_at=received,
                  deadline=date(2001, 1, 9), user=county_user)
    c = complaint(estates["haiyang_1"], channel=Channel.HOTLINE_12345, reference="GD90",
                  deadline=timezone.localdate(), user=county_user)
    assert c.deadline == timezone.localdate()
