"""Pages of the subject registers and of a case's responsible subject. Each page parses input,
calls one service and renders; a refusal (DomainError) is shown on the form with its 4xx."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.capabilities import can, require
from core.errors import DomainError
from core.xlsx import xlsx_response
from rectification.models import Case

from . import selectors, services
from .forms import (
    CaseSubjectForm,
    CommitteeForm,
    DeveloperForm,
    GovernmentUnitForm,
    MemberForm,
    MemberRemoveForm,
    ObligationForm,
    ProjectForm,
)
from .models import CommitteeMember, Developer, GovernmentUnit, OwnersCommittee, ProjectObligation


def _listing(request, filterset, template: str, export_name: str, headers, rows, extra=None):
    if request.GET.get("export") == "xlsx":
        return xlsx_response(export_name, [(export_name.removesuffix(".xlsx"), headers, rows(filterset.qs))])
    page = Paginator(filterset.qs, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, template, {"filter": filterset, "page": page, "query": query.urlencode(), **(extra or {})})


def _form(request, form, title: str, call, success: str, back: str, *, capability: str):
    """GET shows the form; POST calls the service: a refusal stays on the form with its status."""
    require(request.user, capability)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                target = call(form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = exc.status_code
            else:
                messages.success(request, success)
                return redirect(target)
        else:
            status = 400
    return render(request, "subjects/form.html", {"form": form, "title": title, "back": back}, status=status)


# ---------------------------------------------------------------------------------------------
# Developers


@login_required
def developer_list(request):
    filterset = selectors.developer_list(user=request.user, filter_data=request.GET, request=request)
    return _listing(request, filterset, "subjects/developer_list.html", "建设单位名册.xlsx",
                    selectors.DEVELOPER_EXPORT_HEADERS, selectors.developer_export_rows)


@login_required
def developer_detail(request, pk: int):
    developer = selectors.developer_detail(user=request.user, pk=pk)
    if developer is None:
        raise Http404("建设单位不存在或不在您的管辖范围内。")
    return render(request, "subjects/developer_detail.html", {
        "developer": developer, "cases": selectors.subject_cases(user=request.user, developer=developer),
    })


@login_required
def developer_edit(request, pk: int | None = None):
    developer = get_object_or_404(Developer.objects.visible_to(request.user), pk=pk) if pk else None
    initial = {}
    if developer is not None:
        initial = {k: getattr(developer, k) for k in ("name", "credit_code", "contact_person", "contact_phone", "address")}
        initial["region"] = developer.region_id
    form = DeveloperForm(request.POST or None, initial=initial, user=request.user)

    def call(data):
        saved = services.developer_save(user=request.user, developer_id=developer.pk if developer else None, **data)
        return reverse("subjects:developer-detail", args=[saved.pk])

    return _form(request, form, "修改建设单位" if developer else "登记建设单位", call, "建设单位已保存。",
                 reverse("subjects:developer-list") if developer is None
                 else reverse("subjects:developer-detail", args=[developer.pk]),
                 capability="developer.edit")


@login_required
def project_edit(request, developer_pk: int, pk: int | None = None):
    developer = get_object_or_404(Developer.objects.visible_to(request.user), pk=developer_pk)
    project = get_object_or_404(developer.projects, pk=pk) if pk else None
    initial = {}
    if project is not None:
        initial = {"name": project.name, "delivered_on": project.delivered_on, "note": project.note,
                   "estates": list(project.estates.values_list("pk", flat=True))}
    form = ProjectForm(request.POST or None, initial=initial, user=request.user)

    def call(data):
        services.project_save(user=request.user, developer_id=developer.pk, project_id=project.pk if project else None,
                              name=data["name"], estate_ids=[e.pk for e in data["estates"]],
                              delivered_on=data["delivered_on"], note=data["note"])
        return reverse("subjects:developer-detail", args=[developer.pk])

    return _form(request, form, f"{'修改' if project else '登记'}开发项目 · {developer.name}", call, "开发项目已保存。",
                 reverse("subjects:developer-detail", args=[developer.pk]), capability="developer.edit")


@login_required
@require_POST
def obligation_update(request, pk: int):
    obligation = get_object_or_404(
        ProjectObligation.objects.filter(project__developer__in=Developer.objects.visible_to(request.user))
        .select_related("project"), pk=pk)
    form = ObligationForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写正确的履行日期。")
    else:
        try:
            services.obligation_set(user=request.user, obligation_id=obligation.pk, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(reverse("subjects:developer-detail", args=[obligation.project.developer_id]), status=exc.status_code)
        messages.success(request, f"“{obligation.get_item_display()}”已更新。")
    return redirect(reverse("subjects:developer-detail", args=[obligation.project.developer_id]))


# ---------------------------------------------------------------------------------------------
# Owners' committees


@login_required
def committee_list(request):
    filterset = selectors.committee_list(user=request.user, filter_data=request.GET, request=request)
    return _listing(request, filterset, "subjects/committee_list.html", "业委会（物管会）名册.xlsx",
                    selectors.COMMITTEE_EXPORT_HEADERS, selectors.committee_export_rows)


@login_required
def committee_detail(request, pk: int):
    committee = selectors.committee_detail(user=request.user, pk=pk)
    if committee is None:
        raise Http404("业委会（物管会）不存在或不在您的管辖范围内。")
    history = (OwnersCommittee.objects.visible_to(request.user).filter(estate_id=committee.estate_id)
               .exclude(pk=committee.pk).order_by("-term_start"))
    return render(request, "subjects/committee_detail.html", {
        "committee": committee, "history": history, "member_form": MemberForm(),
        "cases": selectors.subject_cases(user=request.user, owners_committee=committee),
        "votes": selectors.committee_votes(user=request.user, committee=committee),
        "can_edit": can(request.user, "committee.edit"), "can_vote": can(request.user, "vote.manage"),
    })


@login_required
def committee_edit(request, pk: int | None = None):
    committee = get_object_or_404(OwnersCommittee.objects.visible_to(request.user).select_related("estate"), pk=pk) \
        if pk else None
    initial = {"estate": request.GET.get("estate")}
    if committee is not None:
        initial = {k: getattr(committee, k) for k in ("kind", "term_start", "term_end", "filed_on", "has_seal",
                                                      "has_party_organisation")}
        initial["estate"] = committee.estate_id
    form = CommitteeForm(request.POST or None, initial=initial, user=request.user,
                         fixed_estate=committee.estate if committee else None)

    def call(data):
        saved = services.committee_save(user=request.user, committee_id=committee.pk if committee else None,
                                        data=services.CommitteeInput(
                                            estate_id=data["estate"].pk, kind=data["kind"], term_start=data["term_start"],
                                            term_end=data["term_end"], filed_on=data["filed_on"],
                                            has_seal=data["has_seal"],
                                            has_party_organisation=data["has_party_organisation"]))
        return reverse("subjects:committee-detail", args=[saved.pk])

    title = "修改业委会（物管会）" if committee else "登记业委会（物管会）"
    return _form(request, form, title, call, "业委会（物管会）已保存。",
                 reverse("subjects:committee-detail", args=[committee.pk]) if committee else reverse("subjects:committee-list"),
                 capability="committee.edit")


@login_required
@require_POST
def member_add(request, pk: int):
    committee = get_object_or_404(OwnersCommittee.objects.visible_to(request.user), pk=pk)
    require(request.user, "committee.edit")
    form = MemberForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            member = services.committee_member_add(user=request.user, committee_id=committee.pk, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status_code
        else:
            messages.success(request, f"已添加委员{member.name}。")
            return redirect(reverse("subjects:committee-detail", args=[committee.pk]))
    committee = selectors.committee_detail(user=request.user, pk=pk)
    return render(request, "subjects/committee_detail.html", {
        "committee": committee, "history": [], "member_form": form, "can_edit": True,
        "cases": selectors.subject_cases(user=request.user, owners_committee=committee),
        "votes": selectors.committee_votes(user=request.user, committee=committee),
        "can_vote": can(request.user, "vote.manage"),
    }, status=status)


@login_required
@require_POST
def member_remove(request, pk: int):
    member = get_object_or_404(CommitteeMember.objects.visible_to(request.user), pk=pk)
    form = MemberRemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写终止资格的原因。")
        return redirect(reverse("subjects:committee-detail", args=[member.committee_id]))
    try:
        services.committee_member_remove(user=request.user, member_id=member.pk, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已终止{member.name}的委员资格。")
    return redirect(reverse("subjects:committee-detail", args=[member.committee_id]))


# ---------------------------------------------------------------------------------------------
# Government units


@login_required
def unit_list(request):
    units = GovernmentUnit.objects.visible_to(request.user).select_related("region")
    form = GovernmentUnitForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        require(request.user, "developer.edit")
        if form.is_valid():
            try:
                services.government_unit_save(user=request.user, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = exc.status_code
            else:
                messages.success(request, "单位已登记。")
                return redirect("subjects:unit-list")
        else:
            status = 400
    return render(request, "subjects/unit_list.html", {"units": units, "form": form,
                                                       "can_edit": can(request.user, "developer.edit")}, status=status)


# ---------------------------------------------------------------------------------------------
# A case's responsible subject


@login_required
def case_subject(request, case_pk: int):
    case = get_object_or_404(Case.objects.visible_to(request.user).select_related("estate"), pk=case_pk)
    initial = {"subject_kind": case.subject_kind, "developer": case.developer_id,
               "owners_committee": case.owners_committee_id, "government_unit": case.government_unit_id}
    form = CaseSubjectForm(request.POST or None, initial=initial, user=request.user, case=case)

    def call(data):
        services.case_subject_set(
            user=request.user, case_id=case.pk, subject_kind=data["subject_kind"],
            developer_id=getattr(data["developer"], "pk", None),
            owners_committee_id=getattr(data["owners_committee"], "pk", None),
            government_unit_id=getattr(data["government_unit"], "pk", None), note=data["note"])
        return reverse("rectification:case-detail", args=[case.pk])

    return _form(request, form, f"变更责任主体 · {case.number}", call, "责任主体已变更。",
                 reverse("rectification:case-detail", args=[case.pk]), capability="case.set_subject")
