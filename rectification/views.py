from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.capabilities import can, require
from communities.models import Estate
from core.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from core.files import serve_private
from core.pagination import IdsFirstPaginator
from core.xlsx import xlsx_response

from . import documents, selectors, services
from .forms import (
    CaseCreateForm,
    DocumentTemplateForm,
    EstatePlanForm,
    SupervisionForm,
    TypicalCaseForm,
    bulk_transition_form,
    parse_version,
    transition_form,
)
from .models import Case, CaseAttachment, DocumentKind, DocumentTemplate, SupervisionAction, SupervisionKind
from .states import BULK_TRANSITIONS, TRANSITIONS, available_transitions


def _case_or_404(request, pk: int) -> Case:
    case = selectors.case_get(user=request.user, pk=pk)
    if case is None:
        raise Http404
    return case


@login_required
def case_list(request):
    case_filter = selectors.case_list(user=request.user, filter_data=request.GET, request=request)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "整改台账.xlsx",
            [("整改台账", selectors.LEDGER_EXPORT_HEADERS, selectors.case_export_rows(case_filter.qs))],
        )
    page = IdsFirstPaginator(case_filter.qs, _page_size(request)).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    bulk_forms = []
    # the working group of a county (its towns and communities make a short list); a provincial
    # administrator would get every town and community of the province as options
    if can(request.user, "case.bulk") and not request.user.sees_everything:
        bulk_forms = [(TRANSITIONS[name], _bulk_form(name, request.user)) for name in BULK_TRANSITIONS]
    return render(
        request,
        "rectification/case_list.html",
        {"filter": case_filter, "page": page, "query": query.urlencode(), "bulk_forms": bulk_forms},
    )


@login_required
def clue_list(request):
    """问题线索: every clue (a case's first and each joined one), the list of 收到线索 and its sources."""
    clue_filter = selectors.clue_list(user=request.user, filter_data=request.GET, request=request)
    page = Paginator(clue_filter.qs, _page_size(request)).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "rectification/clue_list.html", {"filter": clue_filter, "page": page, "query": query.urlencode()})


def _page_size(request) -> int:
    size = request.GET.get("page_size", "")
    return min(int(size), 200) if size.isdigit() and int(size) > 0 else 25


def _bulk_form(name, user, data=None):
    return bulk_transition_form(TRANSITIONS[name], user, data=data)


@login_required
@require_POST
def case_bulk(request):
    transition = request.POST.get("transition", "")
    case_ids = [i for i in request.POST.getlist("case_ids") if i.isdigit()]
    back = reverse("rectification:case-list") + ("?" + request.POST.get("query", "") if request.POST.get("query") else "")
    if not case_ids:
        messages.error(request, "请先勾选要办理的案件。")
        return redirect(back)
    values = {}
    if transition in BULK_TRANSITIONS:  # any other is refused by the service
        form = _bulk_form(transition, request.user, data=request.POST)
        if not form.is_valid():
            messages.error(request, form.first_error)
            return redirect(back)
        values = form.values
    done, refused = services.case_bulk_transition(case_ids=case_ids, user=request.user, transition=transition, **values)
    if done:
        messages.success(request, f"已对 {len(done)} 件案件执行“{TRANSITIONS[transition].label}”。")
    for case_id, message in refused[:10]:
        messages.error(request, f"案件 {case_id}：{message}")
    return redirect(back)


@login_required
def case_create(request):
    form = CaseCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case, _clue, created = services.case_open_or_join(
                estate=data["estate"], category=data["category"], campaign=data["campaign"], source=data["source"],
                reference=data["reference"], description=data["description"],
                complainant_count=data["complainant_count"], is_corruption_clue=data["is_corruption_clue"],
                user=request.user,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "案件已登记。" if created else "该小区同类问题已有在办案件，已并案（多人同诉）。")
            return redirect("rectification:case-detail", pk=case.pk)
    return render(request, "rectification/case_form.html", {"form": form}, status=400 if form.errors else 200)


def _detail(request, case, *, error=None, status=200, failed=None, failed_form=None):
    user = request.user
    transitions = []
    for spec in available_transitions(case, user):
        form = failed_form if spec.name == failed else transition_form(spec, case, user)
        transitions.append((spec, form))
    context = {
        "case": case,
        "events": selectors.case_events(case=case),
        "clues": case.clues.all(),
        "supervisions": case.supervisions.select_related("recorded_by"),
        "transitions": transitions,
        "error": error,
        "can_supervise": can(user, "case.supervise") and case.is_open,
        "supervision_form": SupervisionForm(),
        "supervision_kinds": SupervisionKind.choices,
        "typical": getattr(case, "typical", None) if hasattr(case, "typical") else None,
        "document_kinds": DocumentKind.choices if can(user, "document.issue") and case.is_open else [],
    }
    if can(user, "case.mark_typical"):
        typical = context["typical"]
        initial = {f: getattr(typical, f) for f in TypicalCaseForm.base_fields} if typical else {}
        context["typical_form"] = TypicalCaseForm(initial=initial)
    return render(request, "rectification/case_detail.html", context, status=status)


@login_required
def case_detail(request, pk: int):
    return _detail(request, _case_or_404(request, pk))


@login_required
@require_POST
def case_transition(request, pk: int, transition: str):
    case = _case_or_404(request, pk)
    spec = TRANSITIONS.get(transition)
    if spec is None:
        raise Http404
    form = transition_form(spec, case, request.user, data=request.POST, files=request.FILES)
    try:
        expected_version = parse_version(request.POST.get("version"))
        if not form.is_valid():
            raise InvalidInput(form.first_error)
        services.case_transition(
            case_id=case.pk, user=request.user, transition=transition, files=form.uploads,
            expected_version=expected_version, **form.values,
        )
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        return _detail(request, case, error=exc.message, status=exc.status_code, failed=transition, failed_form=form)
    messages.success(request, f"已办理：{spec.label}。")
    return redirect("rectification:case-detail", pk=case.pk)


def _parsed(form) -> dict:
    """The form's values as the service's keyword arguments. A required value left blank is
    passed blank: the service names everything missing in one message."""
    form.is_valid()
    wrong = [error for errors in form.errors.as_data().values() for error in errors if error.code != "required"]
    if wrong:
        raise InvalidInput(wrong[0].messages[0])
    return {name: form.cleaned_data.get(name, "") for name in form.fields}


@login_required
@require_POST
def supervision_create(request, pk: int):
    case = _case_or_404(request, pk)
    try:
        services.supervision_record(case_id=case.pk, user=request.user,
                                    **_parsed(SupervisionForm(request.POST, request.FILES)))
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        return _detail(request, case, error=exc.message, status=exc.status_code)
    messages.success(request, "督办情况已登记。")
    return redirect("rectification:case-detail", pk=case.pk)


@login_required
@require_POST
def supervision_lift(request, pk: int):
    action = services.supervision_lift(supervision_id=pk, user=request.user, note=request.POST.get("note", ""))
    messages.success(request, "已解除挂牌督办。")
    return redirect("rectification:case-detail", pk=action.case_id)


@login_required
@require_POST
def typical_case_edit(request, pk: int):
    case = _case_or_404(request, pk)
    try:
        services.typical_case_mark(user=request.user, case_id=case.pk, **_parsed(TypicalCaseForm(request.POST)))
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        return _detail(request, case, error=exc.message, status=exc.status_code)
    messages.success(request, "典型案例已保存。")
    return redirect("rectification:case-detail", pk=case.pk)


@login_required
def typical_case_list(request):
    rows = selectors.typical_case_list(user=request.user)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "典型案例.xlsx", [("典型案例", selectors.TYPICAL_EXPORT_HEADERS, selectors.typical_case_export_rows(rows))]
        )
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    return render(request, "rectification/typical_list.html", {"page": page, "query": ""})


@login_required
def attachment_download(request, pk: int):
    return serve_private(request, CaseAttachment.objects, pk=pk)


@login_required
def supervision_file(request, pk: int, field: str):
    """约谈记录/文书 or 移送回执 of a supervision step (`field` comes from the URL pattern)."""
    return serve_private(request, SupervisionAction.objects, pk=pk, field=field, name_field=f"{field}_name")


@login_required
def estate_plans(request, estate_id: int):
    estate = Estate.objects.visible_to(request.user).select_related("community__parent").filter(pk=estate_id).first()
    if estate is None:
        raise Http404
    cases = Case.objects.visible_to(request.user).filter(estate=estate).open().select_related("category")
    form = EstatePlanForm(request.POST or None, cases_queryset=cases)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(
                user=request.user, estate_id=estate.pk, title=form.cleaned_data["title"],
                content=form.cleaned_data["content"], case_ids=[c.pk for c in form.cleaned_data["cases"]],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "方案已保存为草稿。")
            return redirect("rectification:plan-detail", pk=plan.pk)
    return render(request, "rectification/estate_plans.html", {
        "estate": estate, "plans": selectors.estate_plans(user=request.user, estate_id=estate.pk), "form": form,
    }, status=400 if form.errors else 200)


@login_required
def plan_detail(request, pk: int):
    plan = selectors.plan_get(user=request.user, pk=pk)
    if plan is None:
        raise Http404
    return render(request, "rectification/plan_detail.html", {
        "plan": plan, "cases": plan.cases.select_related("category"),
    })


@login_required
@require_POST
def plan_action(request, pk: int, action: str):
    service = {"approve": services.plan_approve, "publish": services.plan_publish}.get(action)
    if service is None:
        raise Http404
    try:
        service(user=request.user, plan_id=pk)
    except NotFound:
        raise Http404 from None
    messages.success(request, "方案已审定。" if action == "approve" else "方案已向业主公开。")
    return redirect("rectification:plan-detail", pk=pk)


def public_estate_plan(request, estate_id: int):
    """Public page (no login): the published plan of an estate and its cases' progress."""
    context = selectors.public_estate_plan(estate_id=estate_id)
    if context is None:
        raise Http404
    return render(request, "rectification/public_plan.html", context)


# ---------------------------------------------------------------------------------------------
# Printable documents (文书)


@login_required
@require_POST
def document_issue(request, pk: int, kind: str):
    """出具文书: generates the .docx with the next number; it appears on the timeline."""
    case = _case_or_404(request, pk)
    try:
        document = documents.case_document_issue(case_id=case.pk, user=request.user, kind=kind)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        return _detail(request, case, error=exc.message, status=exc.status_code)
    messages.success(request, f"已出具{document.get_kind_display()}（{document.number}），可在办理过程中下载。")
    return redirect("rectification:case-detail", pk=case.pk)


def _template_county_or_403(request):
    require(request.user, "document.template_edit")
    county = documents.template_county(request.user)
    if county is None:
        raise PermissionDenied("只有区县的账号可以修改本县的文书模板。")
    return county


@login_required
def document_templates(request):
    """The county's four templates (its own wording, or the defaults)."""
    county = _template_county_or_403(request)
    own = {t.kind: t for t in DocumentTemplate.objects.visible_to(request.user).filter(county=county)
           .select_related("updated_by")}
    rows = [(kind, own.get(kind.value), documents.wording_of(own.get(kind.value), county=county, kind=kind.value))
            for kind in DocumentKind]
    return render(request, "rectification/document_templates.html", {"county": county, "rows": rows})


@login_required
def document_template_edit(request, kind: str):
    county = _template_county_or_403(request)
    if kind not in DocumentKind.values:
        raise Http404
    wording = documents.wording_for(county, kind)
    initial = {field: getattr(wording, field) for field in documents.TEMPLATE_FIELDS}
    form = DocumentTemplateForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        form.is_valid()
        try:
            documents.document_template_save(user=request.user, kind=kind, **{
                field: form.data.get(field, "") for field in documents.TEMPLATE_FIELDS})
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status_code
        else:
            messages.success(request, f"{DocumentKind(kind).label}模板已保存，今后出具的文书使用新模板。")
            return redirect("rectification:document-templates")
    return render(request, "rectification/document_template_form.html", {
        "county": county, "kind": DocumentKind(kind), "form": form, "placeholders": documents.PLACEHOLDERS,
    }, status=status)
