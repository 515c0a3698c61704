"""Reads of the subject registers; every list starts from visible_to(user)."""

from django.db.models import Count, Prefetch, Q

from rectification.models import Case

from .filters import CommitteeFilter, DeveloperFilter
from .models import CommitteeMember, Developer, DeveloperProject, OwnersCommittee

DEVELOPER_EXPORT_HEADERS = ["建设单位名称", "统一社会信用代码", "登记单位", "联系人", "联系电话", "地址", "项目数", "未履行义务数"]
COMMITTEE_EXPORT_HEADERS = ["镇/街道", "社区", "小区", "类型", "备案日期", "印章", "任期开始", "任期届满", "党组织", "委员数"]


def developer_list(*, user, filter_data=None, request=None) -> DeveloperFilter:
    queryset = (Developer.objects.visible_to(user).select_related("region")
                .annotate(project_count=Count("projects", distinct=True),
                          open_obligations=Count("projects__obligations",
                                                 filter=Q(projects__obligations__is_done=False), distinct=True))
                .order_by("name", "id"))
    return DeveloperFilter(filter_data, queryset=queryset, request=request)


def developer_export_rows(queryset):
    for d in queryset:
        yield [d.name, d.credit_code, d.region.name, d.contact_person, d.contact_phone, d.address, d.project_count,
               d.open_obligations]


def developer_detail(*, user, pk: int) -> Developer | None:
    projects = DeveloperProject.objects.prefetch_related("obligations", "estates__community__parent")
    return (Developer.objects.visible_to(user).select_related("region")
            .prefetch_related(Prefetch("projects", queryset=projects)).filter(pk=pk).first())


def committee_list(*, user, filter_data=None, request=None) -> CommitteeFilter:
    queryset = (OwnersCommittee.objects.visible_to(user).current()
                .select_related("estate__community__parent").annotate(member_count=Count("members"))
                .order_by("estate__community__path", "estate__name", "id"))
    return CommitteeFilter(filter_data, queryset=queryset, request=request)


def committee_export_rows(queryset):
    for c in queryset:
        yield [c.estate.community.parent.name, c.estate.community.name, c.estate.name, c.get_kind_display(), c.filed_on,
               "已备案" if c.has_seal else "未备案", c.term_start, c.term_end,
               "已建立" if c.has_party_organisation else "未建立", c.member_count]


def committee_detail(*, user, pk: int) -> OwnersCommittee | None:
    return (OwnersCommittee.objects.visible_to(user).select_related("estate__community__parent")
            .prefetch_related(Prefetch("members", queryset=CommitteeMember.objects.order_by("role", "id")))
            .filter(pk=pk).first())


def committee_votes(*, user, committee: OwnersCommittee):
    """The owners' votes the committee convened (votes.Vote.committee), within the user's scope.
    Read through the reverse relation: the votes app sits above this one and is never imported."""
    return committee.votes.visible_to(user).order_by("-created_at", "-id")[:50]


def subject_cases(*, user, **subject):
    """The cases of one subject the user sees (developer=…, owners_committee=…)."""
    return Case.objects.visible_to(user).filter(**subject).select_related("estate", "category").order_by("-created_at")[:50]
