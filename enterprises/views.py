from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.capabilities import can, require
from communities.models import Estate, Region, ServiceLevel
from core.errors import InvalidState
from core.forms import service_values
from core.xlsx import xlsx_response

from . import selectors, services
from .forms import CreditEventForm, ExitForm, ExitLitigationForm, ServiceLevelRegradeForm
from .models import (
    CreditEventKind,
    Enterprise,
    EvaluationStatus,
    ExitReason,
    ExitRecord,
    ListEntry,
    ListType,
    LitigationStage,
    Objection,
    ObjectionOutcome,
    ServiceLevelChange,
)


@login_required
def enterprise_list(request):
    enterprise_filter = selectors.enterprise_list(user=request.user, filter_data=request.GET, request=request)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "物业服务企业名册.xlsx",
            [("物业服务企业", selectors.ENTERPRISE_EXPORT_HEADERS, selectors.enterprise_export_rows(enterprise_filter.qs))],
        )
    page = Paginator(enterprise_filter.qs, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    status = selectors.list_status_map([e.pk for e in page])
    return render(request, "enterprises/enterprise_list.html", {
        "filter": enterprise_filter, "page": page, "query": query.urlencode(),
        "black_ids": {pk for pk, t in status.items() if t == ListType.BLACK},
        "red_ids": {pk for pk, t in status.items() if t == ListType.RED},
    })


@login_required
def enterprise_detail(request, pk: int):
    enterprise = get_object_or_404(Enterprise.objects.visible_to(request.user).select_related("registered_region"), pk=pk)
    estates = Estate.objects.visible_to(request.user).filter(enterprise=enterprise).with_regions()
    status = selectors.list_status_map([enterprise.pk]).get(enterprise.pk)
    return render(request, "enterprises/enterprise_detail.html", {"enterprise": enterprise, "estates": estates, "status": status})


# ---------------------------------------------------------------------------------------------
# Credit file (诚信档案), red/black evaluation (红黑榜评定), objections (异议)


def _post(request, *names):
    return {name: request.POST.get(name, "") for name in names}


@login_required
def credit_file(request, pk: int):
    enterprise = get_object_or_404(Enterprise.objects.visible_to(request.user).select_related("registered_region"), pk=pk)
    if request.method == "POST":
        services.credit_event_add(user=request.user, enterprise_id=enterprise.pk,
                                  **service_values(CreditEventForm(request.POST)))
        messages.success(request, "信用记录已登记。")
        return redirect("enterprises:credit-file", pk=enterprise.pk)
    today = timezone.localdate()
    entries = ListEntry.objects.visible_to(request.user).filter(enterprise=enterprise).select_related("evaluation")
    return render(request, "enterprises/credit_file.html", {
        "enterprise": enterprise,
        "estates": Estate.objects.visible_to(request.user).filter(enterprise=enterprise).with_regions(),
        "events": selectors.credit_events(user=request.user, enterprise_id=enterprise.pk),
        "summary": selectors.credit_summary(user=request.user, enterprise_id=enterprise.pk),
        "entries": [(e, e.is_active_on(today)) for e in entries],
        "status": selectors.list_status_map([enterprise.pk]).get(enterprise.pk),
        "kinds": CreditEventKind.choices,
        "regradings": ServiceLevelChange.objects.visible_to(request.user).filter(enterprise=enterprise)
        .select_related("estate"),
        "service_levels": ServiceLevel.choices,
        "can_write": can(request.user, "credit.record"),
        "today": today,
    })


@login_required
@require_POST
def credit_event_publish(request, pk: int):
    event = services.credit_event_publish(user=request.user, event_id=pk, published=request.POST.get("published") != "0")
    messages.success(request, "已公开该信用记录。" if event.is_published else "已取消公开。")
    return redirect("enterprises:credit-file", pk=event.enterprise_id)


@login_required
@require_POST
def credit_event_withdraw(request, pk: int):
    event = services.credit_event_withdraw(user=request.user, event_id=pk, reason=request.POST.get("reason", ""))
    messages.success(request, "信用记录已撤销。")
    return redirect("enterprises:credit-file", pk=event.enterprise_id)


@login_required
def evaluation_list(request):
    if request.method == "POST":
        evaluation = services.evaluation_open(
            user=request.user, jurisdiction_id=request.POST.get("jurisdiction"),
            period_start=request.POST.get("period_start"), period_end=request.POST.get("period_end"),
            title=request.POST.get("title", ""),
        )
        messages.success(request, f"已发起评定，系统已对 {evaluation.proposals.count()} 家企业提出建议。")
        return redirect("enterprises:evaluation-detail", pk=evaluation.pk)
    user = request.user
    can_open = can(user, "evaluation.manage")
    jurisdictions = Region.objects.visible_to(user).filter(level__in=[3, 4]).order_by("path") if can_open else []
    today = timezone.localdate()
    return render(request, "enterprises/evaluation_list.html", {
        "evaluations": selectors.evaluation_list(user=user), "can_open": can_open, "jurisdictions": jurisdictions,
        "default_start": today.replace(month=1, day=1), "default_end": today,
    })


@login_required
def evaluation_detail(request, pk: int):
    evaluation = selectors.evaluation_get(user=request.user, pk=pk)
    if evaluation is None:
        raise Http404
    user = request.user
    export = request.GET.get("export")
    if export in ("xlsx", "csv"):
        require(user, "credit.export", message="只有县专班、县专班办公室和系统管理员可以导出信用平台推送数据。")
        if evaluation.status != EvaluationStatus.PUBLISHED:
            raise InvalidState("评定公布后才能导出信用平台数据。")
        filename = f"信用平台推送_{evaluation.batch_id}"
        rows = selectors.credit_platform_rows(evaluation, user=user)
        if export == "csv":
            response = HttpResponse(selectors.csv_bytes(selectors.CREDIT_PLATFORM_HEADERS, rows),
                                    content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}.csv"
            return response
        return xlsx_response(f"{filename}.xlsx", [("红黑榜及不良信息", selectors.CREDIT_PLATFORM_HEADERS, rows)])
    objections = Objection.objects.visible_to(user).filter(entry__evaluation=evaluation).select_related(
        "enterprise", "entry", "answered_by")
    return render(request, "enterprises/evaluation_detail.html", {
        "evaluation": evaluation,
        "proposals": selectors.evaluation_proposals(user=user, evaluation=evaluation),
        "entries": ListEntry.objects.visible_to(user).filter(evaluation=evaluation).select_related("enterprise"),
        "objections": objections,
        "log": selectors.evaluation_log(user=user, evaluation=evaluation),
        "can_write": can(user, "evaluation.manage"),
        "can_export": can(user, "credit.export"),
        "reads_objections": can(user, "objection.read"),
        "is_open": evaluation.status == EvaluationStatus.OPEN,
        "list_types": ListType.choices,
        "outcomes": ObjectionOutcome.choices,
        "today": timezone.localdate(),
    })


@login_required
@require_POST
def proposal_decide(request, pk: int):
    proposal = services.proposal_decide(
        user=request.user, proposal_id=pk, decision=request.POST.get("decision", ""),
        reason=request.POST.get("reason", ""), final=request.POST.get("final", ""),
    )
    messages.success(request, f"已决定：{proposal.enterprise.name} · {proposal.get_final_display()}。")
    return redirect(reverse("enterprises:evaluation-detail", args=[proposal.evaluation_id]) + f"#proposal-{proposal.pk}")


@login_required
@require_POST
def evaluation_publish(request, pk: int):
    evaluation = services.evaluation_publish(
        user=request.user, evaluation_id=pk, **_post(request, "decision_number", "decided_on", "valid_until", "basis"))
    messages.success(request, f"红黑榜已公布（{evaluation.decision_number}）。")
    return redirect("enterprises:evaluation-detail", pk=evaluation.pk)


@login_required
@require_POST
def list_entry_end(request, pk: int):
    entry = services.list_entry_end(user=request.user, entry_id=pk, **_post(request, "ended_on", "reason"))
    messages.success(request, f"{entry.enterprise.name} 已提前移出{entry.get_list_type_display()}。")
    return redirect("enterprises:evaluation-detail", pk=entry.evaluation_id)


@login_required
@require_POST
def objection_answer(request, pk: int):
    objection = services.objection_answer(user=request.user, objection_id=pk, **_post(request, "outcome", "answer"))
    messages.success(request, "异议已答复。")
    return redirect("enterprises:evaluation-detail", pk=objection.entry.evaluation_id)


@login_required
def my_credit(request):
    """The enterprise user's own list entries, objections and credit file."""
    user = request.user
    require(user, "credit.view_own", message="该页面供物业服务企业用户查看本企业的认定并提出异议。")
    if request.method == "POST":
        services.objection_file(user=user, entry_id=request.POST.get("entry") or 0, content=request.POST.get("content", ""))
        messages.success(request, "异议已提交，县专班将在规定时间内答复。")
        return redirect("enterprises:my-credit")
    today = timezone.localdate()
    entries = ListEntry.objects.visible_to(user).select_related("evaluation").order_by("-decided_on")
    return render(request, "enterprises/my_credit.html", {
        "enterprise": user.enterprise,
        "entries": [(e, e.is_active_on(today)) for e in entries],
        "objections": Objection.objects.visible_to(user).select_related("entry"),
        "events": selectors.credit_events(user=user, enterprise_id=user.enterprise_id),
    })


# ---------------------------------------------------------------------------------------------
# Public pages (no login)


def public_list(request):
    list_type = request.GET.get("type", "")
    if list_type not in ("", ListType.RED, ListType.BLACK):
        list_type = ""
    entries = selectors.public_list(list_type=list_type or None)
    if request.GET.get("export") == "xlsx":
        rows = ([e.enterprise.name, e.enterprise.credit_code, e.get_list_type_display(), e.public_reason, e.authority,
                 e.decision_number, e.decided_on, e.valid_until] for e in entries)
        return xlsx_response("物业服务企业红黑榜.xlsx", [(
            "红黑榜", ["企业名称", "统一社会信用代码", "名单类型", "认定事由", "认定单位", "决定文号", "认定日期", "有效期至"], rows)])
    return render(request, "enterprises/public_list.html", {"entries": entries, "list_type": list_type})


def public_enterprise(request, pk: int):
    context = selectors.public_enterprise(pk=pk)
    if context is None:
        raise Http404
    return render(request, "enterprises/public_enterprise.html", context)


# ---------------------------------------------------------------------------------------------
# Exit mechanism (退出机制)


@login_required
def exit_list(request):
    user = request.user
    if request.method == "POST":
        estate_id = request.POST.get("estate", "")
        if not estate_id.isdigit():
            raise Http404
        record = services.exit_open(user=user, estate_id=int(estate_id), **service_values(ExitForm(request.POST)))
        messages.success(request, "退出记录已登记，移交清单已生成。")
        return redirect("enterprises:exit-detail", pk=record.pk)
    can_write = can(user, "exit.manage")
    enterprises = list(Enterprise.objects.order_by("name").only("pk", "name")) if can_write else []
    # The picker for the new manager warns about black-listed enterprises (名单状态随处可见).
    status = selectors.list_status_map([e.pk for e in enterprises])
    for e in enterprises:
        e.list_status = status.get(e.pk)
    records = ExitRecord.objects.visible_to(user).select_related(
        "estate__community__parent", "enterprise", "new_enterprise", "overdue_case").order_by("-notice_date", "-id")
    return render(request, "enterprises/exit_list.html", {
        "records": records, "can_write": can_write, "reasons": ExitReason.choices, "today": timezone.localdate(),
        "estates": Estate.objects.visible_to(user).filter(enterprise__isnull=False).with_regions() if can_write else [],
        "enterprises": enterprises,
    })


@login_required
def exit_detail(request, pk: int):
    record = get_object_or_404(ExitRecord.objects.visible_to(request.user).select_related(
        "estate__community__parent", "enterprise", "new_enterprise", "overdue_case", "created_by"), pk=pk)
    user = request.user
    return render(request, "enterprises/exit_detail.html", {
        "record": record, "items": record.handover_items.select_related("checked_by"),
        "litigation": record.litigation.all(), "stages": LitigationStage.choices,
        "can_write": can(user, "exit.manage"), "today": timezone.localdate(),
    })


@login_required
@require_POST
def exit_action(request, pk: int, action: str):
    user = request.user
    if action == "tick":
        item = services.handover_tick(user=user, item_id=request.POST.get("item") or 0,
                                      **_post(request, "done_on", "evidence"))
        messages.success(request, f"已确认移交：{item.get_item_display()}。")
    elif action == "litigation":
        services.exit_litigation_record(user=user, exit_id=pk, **service_values(ExitLitigationForm(request.POST)))
        messages.success(request, "诉讼进展已登记。")
    elif action == "referral":
        services.exit_refer_market_regulation(user=user, exit_id=pk, **_post(request, "referred_on", "note"))
        messages.success(request, "已登记报告市场监管部门。")
    else:
        raise Http404
    return redirect("enterprises:exit-detail", pk=pk)


@login_required
@require_POST
def service_level_regrade(request, pk: int):
    enterprise = get_object_or_404(Enterprise.objects.visible_to(request.user), pk=pk)
    estate_id = request.POST.get("estate") or 0
    if not Estate.objects.visible_to(request.user).filter(pk=estate_id if str(estate_id).isdigit() else 0,
                                                          enterprise=enterprise).exists():
        raise Http404
    services.service_level_regrade(user=request.user, estate_id=int(estate_id),
                                   **service_values(ServiceLevelRegradeForm(request.POST)))
    messages.success(request, "服务等级已重新核定。")
    return redirect("enterprises:credit-file", pk=enterprise.pk)
