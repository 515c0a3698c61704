import hashlib
import io
from datetime import date, timedelta
from types import SimpleNamespace

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from accounts.capabilities import can
from communities.models import Estate, Region, RegionLevel
from core.counts import large_list_figures
from core.errors import DomainError, InvalidInput, MissingField, NotFound
from core.files import serve_private
from core.net import client_ip
from core.pagination import IdsFirstPaginator
from core.xlsx import xlsx_response

from . import abuse, kept_photos, privacy, selectors, services
from .forms import (
    MoveForm,
    PublicComplaintForm,
    RateForm,
    ReopenForm,
    ReplyForm,
    ReturnCallForm,
    SplitForm,
    StaffIntakeForm,
    TrackForm,
    estate_label,
)
from .models import Channel, Complaint, ComplaintAttachment, ComplaintStatus

#: the tracking codes this browser submitted (newest first, at most 10), in a signed cookie: a
#: code in it opens its progress without the phone's last digits. A cookie, not the session, so a
#: resident's submission writes no session row (the public form's cost under load, bench/README.md).
CODES_COOKIE = "complaint_codes"
CODES_SALT = "complaints.public.codes"


def _public_codes(request) -> list[str]:
    value = request.get_signed_cookie(CODES_COOKIE, default="", salt=CODES_SALT, max_age=settings.SESSION_COOKIE_AGE)
    return [code for code in value.split(",") if code][:10]


def _remember_code(response, request, code: str):
    codes = ([code] + [c for c in _public_codes(request) if c != code])[:10]
    response.set_signed_cookie(
        CODES_COOKIE, ",".join(codes), salt=CODES_SALT, max_age=settings.SESSION_COOKIE_AGE, httponly=True,
        secure=settings.SESSION_COOKIE_SECURE, samesite="Lax",
    )
    return response


# ---------------------------------------------------------------------------------------------
# Public pages (no login)


PRESET_CACHE_SECONDS = 5 * 60


def _preset_key(pk) -> str:
    return f"complaints:public:preset:{pk}"


def _estate_from_param(value: str) -> SimpleNamespace | None:
    """The estate of a QR code's ?estate=<id>, as the form's header shows it (its name, community
    and town), from the cache: every resident scanning the same poster asks for the same row.
    Renaming the estate drops it at once; a renamed community or town shows within 5 minutes."""
    value = (value or "").strip()
    if not value.isdigit() or len(value) > 12:
        return None
    key = _preset_key(int(value))
    found = cache.get(key)
    if found is None:
        estate = Estate.objects.select_related("community__parent").filter(pk=int(value)).first()
        found = {} if estate is None else {
            "pk": estate.pk, "name": estate.name, "community": estate.community.name,
            "town": estate.community.parent.name if estate.community.parent_id else "",
        }
        cache.set(key, found, PRESET_CACHE_SECONDS)
    if not found:
        return None
    return SimpleNamespace(pk=found["pk"], name=found["name"], community=SimpleNamespace(
        name=found["community"], parent=SimpleNamespace(name=found["town"])))


def _forget_preset(instance, **kwargs):
    cache.delete(_preset_key(instance.pk))


post_save.connect(_forget_preset, sender=Estate, dispatch_uid="complaints-public-preset-s")
post_delete.connect(_forget_preset, sender=Estate, dispatch_uid="complaints-public-preset-d")


TOWNS_CACHE_KEY = "complaints:public:towns"
#: the fields of the public form that render the same for every visitor until the form is posted
STATIC_FIELDS = ("category", "description", "photos", "name", "phone", "anonymous")


def _towns():
    """The towns of the estate search (cached a few minutes: regions change by migration or admin)."""
    towns = cache.get(TOWNS_CACHE_KEY)
    if towns is None:
        towns = [{"pk": pk, "name": name} for pk, name in
                 Region.objects.filter(level=RegionLevel.TOWN).order_by("path").values_list("pk", "name")]
        cache.set(TOWNS_CACHE_KEY, towns, 5 * 60)
    return towns


def _forget_towns(**kwargs):
    cache.delete(TOWNS_CACHE_KEY)


post_save.connect(_forget_towns, sender=Region, dispatch_uid="complaints-public-towns-s")
post_delete.connect(_forget_towns, sender=Region, dispatch_uid="complaints-public-towns-d")


def _static_fields(form) -> dict[str, str]:
    """The unbound form's STATIC_FIELDS rendered through complaints/_field.html, kept in the
    cache under a digest of the category list (the one thing in them that can change)."""
    digest = hashlib.sha256(repr(form.fields["category"].choices).encode()).hexdigest()[:24]
    key = f"complaints:public:fields:{digest}"
    html = cache.get(key)
    if html is None:
        html = {name: str(render_to_string("complaints/_field.html", {"field": form[name]})) for name in STATIC_FIELDS}
        cache.set(key, html, 10 * 60)
    return {name: mark_safe(value) for name, value in html.items()}  # noqa: S308 - rendered by the template above


def _estate_candidates(q: str, town_id: str):
    estates = Estate.objects.select_related("community__parent").order_by("community__path", "name")
    if town_id.isdigit():
        town = Region.objects.filter(pk=int(town_id), level=RegionLevel.TOWN).first()
        if town is not None:
            estates = estates.filter(community__path__startswith=town.path)
    if q:
        estates = estates.filter(Q(name__icontains=q) | Q(address__icontains=q))
    return estates


def _posted_initial(post) -> dict:
    """What the resident typed, to show again on a form that is not checked (the no-JS estate search)."""
    values = {name: post.get(name, "") for name in ("estate", "category", "description", "name", "phone", "via")}
    values["anonymous"] = bool(post.get("anonymous"))
    return values


def complaint_estate_search(request):
    """The public form's estate search as JSON (static/js/estate-search.js fills the select with it,
    so the page is not reloaded and nothing typed is lost)."""
    q = request.GET.get("q", "").strip()[:50]
    town_id = request.GET.get("town", "")
    estates = list(_estate_candidates(q, town_id)[:50]) if (q or town_id) else []
    return JsonResponse({
        "count": len(estates),
        "estates": [{"id": e.pk, "label": estate_label(e)} for e in estates],
    })


def complaint_kept_photo(request, token: str):
    """The thumbnail of a photo kept across a form error (complaints.kept_photos): only with its
    signed token, which names one kept file and expires."""
    kept = kept_photos.kept_photo(token)
    if kept is None:
        raise Http404
    content, content_type = kept
    response = HttpResponse(content, content_type=content_type)
    response["Cache-Control"] = "private, max-age=600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def complaint_new(request):
    """投诉表单: pick the estate (search by name within a town, or ?estate=<id> from the estate's QR
    code), the category, describe, photos, name and phone or anonymous, answer the question.

    Showing the form writes nothing (the question travels signed in the form, see abuse.py) and
    the QR path (?estate=<id>) reads one row; the category list is cached (services).

    The estate search is one form with the complaint: with JavaScript it fills the select in place
    (complaint_estate_search); without, its button posts the form with `search`, which shows it
    again with everything typed and the photos kept. Photos of a refused post are kept too
    (complaints.kept_photos), so nothing is chosen twice."""
    q = request.GET.get("q", "").strip()[:50]
    town_id = request.GET.get("town", "")
    status = 200
    error = None
    kept_tokens: list[str] = []
    photo_refusals: list[str] = []
    static_fields = None
    if request.method == "POST" and request.POST.get("search"):
        q = request.POST.get("q", "").strip()[:50]
        town_id = request.POST.get("town", "")
        _kept, kept_tokens = kept_photos.photos_from_tokens(request.POST.getlist("kept_photo")[:services.MAX_PHOTOS])
        new_tokens, photo_refusals = kept_photos.photos_keep(request.FILES.getlist("photos"))
        kept_tokens = (kept_tokens + new_tokens)[:services.MAX_PHOTOS]
        preset = _estate_from_param(request.GET.get("estate", ""))
        searched = bool(q or town_id)
        estates = _estate_candidates(q, town_id)[:50] if searched else Estate.objects.none()
        form = PublicComplaintForm(estates=estates, initial=_posted_initial(request.POST))
    elif request.method == "POST":
        posted = request.POST.get("estate", "")
        estates = Estate.objects.filter(pk=int(posted)) if posted.isdigit() else Estate.objects.none()
        form = PublicComplaintForm(request.POST, request.FILES, estates=estates.select_related("community__parent"))
        kept_uploads, kept_tokens = kept_photos.photos_from_tokens(
            request.POST.getlist("kept_photo")[:services.MAX_PHOTOS])
        try:
            abuse.rate_limit_hit("ip", client_ip(request))
            abuse.honeypot_check(request.POST.get("website", ""))
            answer_ok = True
            try:
                abuse.captcha_check(request.POST.get("captcha_token", ""), request.POST.get("captcha", ""))
            except abuse.CaptchaFailed as exc:
                answer_ok = False
                form.is_valid()
                form.add_error("captcha", exc.message)
            if answer_ok and form.is_valid():
                data = form.cleaned_data
                phone, review_note = "", ""
                if not data["anonymous"]:
                    phone = privacy.normalise_phone(data["phone"])
                    review_note = abuse.phone_review_note(privacy.phone_hash(phone))
                complaint = services.complaint_create(
                    channel=Channel.QR_CODE if data.get("via") == "qr" else Channel.PUBLIC_FORM,
                    estate=data["estate"], category=data["category"], description=data["description"],
                    phone=phone, complainant_name=data["name"], is_anonymous=data["anonymous"],
                    files=kept_uploads + list(data["photos"] or []), review_note=review_note, join_later=True,
                )
                kept_photos.photos_discard(kept_tokens)
                return _remember_code(redirect("complaints:public-done"), request, complaint.tracking_code)
        except abuse.RateLimited as exc:
            error, status = exc.message, exc.status_code
        except privacy.InvalidPhone as exc:
            form.add_error("phone", exc.message)
        except DomainError as exc:
            error, status = exc.message, exc.status_code
        if form.errors and status == 200:
            status = 400
        if status != 429:
            # the photos of this post are kept for the next one (not those of a rate-limited post)
            new_tokens, photo_refusals = kept_photos.photos_keep(request.FILES.getlist("photos"))
            kept_tokens = (kept_tokens + new_tokens)[:services.MAX_PHOTOS]
        # the page is shown again: only now is the QR preset needed
        preset = _estate_from_param(request.GET.get("estate", ""))
        searched = bool(q or town_id)
    else:
        preset = _estate_from_param(request.GET.get("estate", ""))
        searched = bool(q or town_id) and preset is None
        if preset is not None:
            # the QR path: the estate is a hidden field, the select is not shown (and not queried)
            estates = Estate.objects.filter(pk=preset.pk)
        elif searched:
            estates = _estate_candidates(q, town_id)[:50]
        else:
            estates = Estate.objects.none()
        form = PublicComplaintForm(
            estates=estates,
            initial={"estate": preset.pk if preset else None, "via": "qr" if preset else ""},
        )
        static_fields = _static_fields(form)
    captcha = abuse.captcha_new()
    return render(request, "complaints/public_form.html", {
        "form": form, "q": q, "town_id": town_id, "towns": _towns, "preset": preset, "error": error,
        "estate_count": len(form.fields["estate"].queryset) if searched else 0, "searched": searched,
        "captcha": captcha.question, "captcha_token": captcha.token,
        "static_fields": static_fields,
        "kept_photos": [(token, kept_photos.token_label(token)) for token in kept_tokens],
        "photo_refusals": photo_refusals, "max_photos": services.MAX_PHOTOS,
    }, status=status)


def complaint_done(request):
    codes = _public_codes(request)
    if not codes:
        return redirect("complaints:public-new")
    return render(request, "complaints/public_done.html", {"code": codes[0]})


def _track_context(complaint):
    return {
        "complaint": complaint,
        "events": selectors.complaint_public_events(complaint=complaint),
        "steps": selectors.tracking_steps(complaint),
        "case_listed": selectors.case_is_listed(complaint),
        "can_rate": complaint.status == ComplaintStatus.HANDLED and complaint.rated_at is None,
    }


def complaint_track(request):
    """Progress by tracking code + the phone's last four digits (POST, so nothing is in the URL)."""
    session_codes = _public_codes(request)
    if request.method != "POST":
        code = request.GET.get("code", "")
        # a code this browser submitted opens without the phone digits
        if code and code in session_codes:
            complaint = services.complaint_find_for_tracking(tracking_code=code, phone_last4="")
            complaint = complaint or _session_complaint(code)
            if complaint is not None:
                return render(request, "complaints/public_track.html", {
                    "form": TrackForm(initial={"code": code}), "rate_form": RateForm(), "session_codes": session_codes,
                    **_track_context(complaint), "trusted": True,
                })
        return render(request, "complaints/public_track.html", {
            "form": TrackForm(initial={"code": code}), "session_codes": session_codes,
        })
    form = TrackForm(request.POST)
    try:
        abuse.rate_limit_hit("track_ip", client_ip(request))
    except abuse.RateLimited as exc:
        return render(request, "complaints/public_track.html",
                      {"form": form, "error": exc.message, "session_codes": session_codes}, status=429)
    complaint = None
    if form.is_valid():
        complaint = services.complaint_find_for_tracking(
            tracking_code=form.cleaned_data["code"], phone_last4=form.cleaned_data["last4"])
        if complaint is None and form.cleaned_data["code"].upper() in session_codes:
            complaint = _session_complaint(form.cleaned_data["code"].upper())
    if complaint is None:
        status = 404 if form.is_valid() else 400
        if status == 404:
            form.add_error(None, "查询码或手机号后四位不正确，请核对后重试。")
        return render(request, "complaints/public_track.html", {"form": form, "session_codes": session_codes},
                      status=status)
    return render(request, "complaints/public_track.html", {
        "form": form, "rate_form": RateForm(), "session_codes": session_codes, **_track_context(complaint),
        "last4": form.cleaned_data["last4"],
    })


def _session_complaint(code):
    return Complaint.objects.select_related("case", "estate", "category").filter(tracking_code=code).first()


@require_POST
def complaint_rate(request):
    code = request.POST.get("code", "").strip().upper()
    last4 = request.POST.get("last4", "")
    session_codes = _public_codes(request)
    form = RateForm(request.POST)
    try:
        abuse.rate_limit_hit("track_ip", client_ip(request))
        if not form.is_valid():
            absent = all(e.code == "required" for errors in form.errors.as_data().values() for e in errors)
            raise (MissingField if absent else InvalidInput)("；".join(e for errors in form.errors.values() for e in errors))
        if code in session_codes and not last4:
            complaint = _session_complaint(code)
            if complaint is not None and complaint.phone_encrypted:
                last4 = privacy.phone_decrypt(complaint.phone_encrypted)[-4:]
        services.complaint_rate(tracking_code=code, phone_last4=last4,
                                satisfaction=form.cleaned_data["satisfaction"], comment=form.cleaned_data["comment"])
    except DomainError as exc:
        complaint = services.complaint_find_for_tracking(tracking_code=code, phone_last4=last4)
        context = {"form": TrackForm(initial={"code": code}), "session_codes": session_codes, "error": exc.message,
                   "rate_form": form, "last4": last4}
        if complaint is not None:
            context.update(_track_context(complaint))
        return render(request, "complaints/public_track.html", context, status=exc.status_code)
    complaint = services.complaint_find_for_tracking(tracking_code=code, phone_last4=last4)
    return render(request, "complaints/public_track.html", {
        "form": TrackForm(initial={"code": code}), "session_codes": session_codes, **_track_context(complaint),
        "rated_now": True, "last4": last4,
    })


# ---------------------------------------------------------------------------------------------
# Staff pages


@login_required
def complaint_list(request):
    complaint_filter = selectors.complaint_list(user=request.user, filter_data=request.GET, request=request)
    if not complaint_filter.is_valid():
        return render(request, "complaints/complaint_list.html", {
            "filter": complaint_filter, "page": Paginator([], 25).get_page(1), "query": "", "summary": None,
        }, status=400)
    rows = complaint_filter.qs
    if request.GET.get("export") == "xlsx":
        return xlsx_response("投诉受理台账.xlsx", [
            ("投诉受理", selectors.EXPORT_HEADERS, selectors.complaint_export_rows(rows, user=request.user)),
        ])
    summary = large_list_figures(rows, selectors.satisfaction_summary, key="complaints:list")
    page = IdsFirstPaginator(rows, 25, count=summary["total"]).get_page(request.GET.get("page"))
    for complaint in page:
        complaint.who = privacy.complainant_display(complaint, request.user)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "complaints/complaint_list.html", {
        "filter": complaint_filter, "page": page, "query": query.urlencode(), "summary": summary,
        "can_intake": can(request.user, "complaint.handle"),
    })


@login_required
def complaint_intake(request):
    estate_query = request.GET.get("estate_q", "").strip()[:50]
    form = StaffIntakeForm(request.POST or None, request.FILES or None, user=request.user, estate_query=estate_query)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                complaint = services.complaint_create(
                    channel=data["channel"], reference=data["reference"], received_at=data["received_at"],
                    estate=data["estate"], category=data["category"], description=data["description"],
                    complainant_name=data["complainant_name"], phone=data["phone"], is_anonymous=data["is_anonymous"],
                    deadline=data["deadline"], files=data["photos"], user=request.user,
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = exc.status_code
            else:
                messages.success(request, f"投诉已登记，查询码 {complaint.tracking_code}。")
                return redirect("complaints:detail", pk=complaint.pk)
        else:
            status = 400
    return render(request, "complaints/intake.html", {"form": form, "estate_q": estate_query}, status=status)


def _complaint_or_404(request, pk):
    complaint = selectors.complaint_get(user=request.user, pk=pk)
    if complaint is None:
        raise Http404
    return complaint


def _detail(request, complaint, *, error=None, status=200, forms=None):
    forms = forms or {}
    user = request.user
    siblings = selectors.case_complaints(user=user, case_id=complaint.case_id) if complaint.case_id else []
    for sibling in siblings:
        sibling.who = privacy.complainant_display(sibling, user)
    return render(request, "complaints/complaint_detail.html", {
        "complaint": complaint,
        "who": privacy.complainant_display(complaint, user),
        "events": selectors.complaint_events(complaint=complaint),
        "attachments": complaint.attachments.all(),
        "siblings": siblings,
        "can_handle": can(user, "complaint.handle"),
        "reply_form": forms.get("reply") or ReplyForm(initial={"reply": complaint.reply, "method": complaint.reply_method}),
        "can_reply": complaint.estate_id is not None and complaint.status != ComplaintStatus.HANDLED,
        "return_call_form": forms.get("return_call") or ReturnCallForm(),
        "can_return_call": (complaint.status == ComplaintStatus.HANDLED and complaint.rated_at is None
                            and complaint.channel in services.RETURN_CALL_CHANNELS),
        "reopen_form": forms.get("reopen") or ReopenForm(),
        "can_reopen": complaint.satisfaction == "unsatisfied" and complaint.case_id is not None
                      and complaint.case.state in ("closed", "not_true"),
        "move_form": forms.get("move") or MoveForm(),
        "split_form": forms.get("split") or SplitForm(),
        "estates": _resolve_candidates(user, complaint) if complaint.status == ComplaintStatus.PENDING_ESTATE else [],
        "error": error,
    }, status=status)


def _resolve_candidates(user, complaint):
    """Estates offered to resolve an unmatched row: those of the region the row named (or of the
    importer), at most 300."""
    estates = Estate.objects.visible_to(user).select_related("community").order_by("community__path", "name")
    if complaint.region_path:
        estates = estates.filter(community__path__startswith=complaint.region_path)
    return estates[:300]


@login_required
def complaint_detail(request, pk: int):
    return _detail(request, _complaint_or_404(request, pk))


def _action(request, pk, form_key, form_class, call, success):
    complaint = _complaint_or_404(request, pk)
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        return _detail(request, complaint, error="请检查填写内容。", status=400, forms={form_key: form})
    try:
        call(complaint, form.cleaned_data if form else request.POST)
    except NotFound as exc:
        return _detail(request, complaint, error=exc.message, status=404, forms={form_key: form})
    except DomainError as exc:
        return _detail(request, complaint, error=exc.message, status=exc.status_code, forms={form_key: form})
    messages.success(request, success)
    return redirect("complaints:detail", pk=complaint.pk)


@login_required
@require_POST
def complaint_reply(request, pk: int):
    return _action(request, pk, "reply", ReplyForm, lambda c, d: services.complaint_reply(
        complaint_id=c.pk, user=request.user, reply=d["reply"], method=d["method"]), "办理结果已反馈并记录。")


@login_required
@require_POST
def complaint_return_call(request, pk: int):
    return _action(request, pk, "return_call", ReturnCallForm, lambda c, d: services.complaint_record_return_call(
        complaint_id=c.pk, user=request.user, satisfaction=d["satisfaction"], comment=d["comment"]), "回访结果已记录。")


@login_required
@require_POST
def complaint_reopen(request, pk: int):
    return _action(request, pk, "reopen", ReopenForm, lambda c, d: services.complaint_reopen(
        complaint_id=c.pk, user=request.user, reason=d["reason"]), "已重新办理，案件退回办理中。")


@login_required
def hotline_replies_export(request):
    """12345 回复导出: the work orders replied to in a period, in the platform's return format."""
    if not can(request.user, "complaint.handle"):
        raise Http404
    today = timezone.localdate()
    try:
        start = parse_date(request.GET.get("from", "")) or today.replace(day=1)
        end = parse_date(request.GET.get("to", "")) or today
    except ValueError:
        raise DomainError("日期格式不正确，请使用 年-月-日。") from None
    if end < start or (end - start) > timedelta(days=366) or start < date(2000, 1, 1):
        raise DomainError("导出期间不正确（结束日期不能早于开始日期，最长一年）。")
    return xlsx_response(f"12345回复-{start:%Y%m%d}-{end:%Y%m%d}.xlsx", [
        ("回复", selectors.REPLY_EXPORT_HEADERS, selectors.hotline_reply_rows(user=request.user, start=start, end=end)),
    ])


@login_required
@require_POST
def complaint_move(request, pk: int):
    return _action(request, pk, "move", MoveForm, lambda c, d: services.complaint_move(
        complaint_id=c.pk, to_case_id=d["to_case"], user=request.user, reason=d["reason"]), "已调整所属案件。")


@login_required
@require_POST
def complaint_split(request, pk: int):
    return _action(request, pk, "split", SplitForm, lambda c, d: services.complaint_split(
        complaint_id=c.pk, user=request.user, reason=d["reason"], category=d["category"]), "已拆分为新案件。")


@login_required
@require_POST
def complaint_resolve_estate(request, pk: int):
    def call(c, data):
        estate_id = data.get("estate", "")
        if not str(estate_id).isdigit():
            raise MissingField("请选择小区。")
        services.complaint_resolve_estate(complaint_id=c.pk, estate_id=int(estate_id), user=request.user)

    return _action(request, pk, "resolve", None, call, "已匹配小区并归入案件。")


@login_required
def attachment_download(request, pk: int):
    return serve_private(request, ComplaintAttachment.objects, pk=pk)


@login_required
def estate_qr(request, estate_id: int):
    """扫码即办: an SVG QR code of the public form with this estate filled in, drawn on the server."""
    estate = Estate.objects.visible_to(request.user).select_related("community__parent").filter(pk=estate_id).first()
    if estate is None:
        raise Http404
    url = request.build_absolute_uri(reverse("complaints:public-new") + f"?estate={estate.pk}")
    if request.GET.get("format") == "svg":
        buffer = io.BytesIO()
        segno.make(url, error="m").save(buffer, kind="svg", scale=8, border=2)
        return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    svg = segno.make(url, error="m").svg_inline(scale=8, border=2)
    return render(request, "complaints/estate_qr.html", {"estate": estate, "url": url, "svg": svg})


@login_required
def complaint_statistics(request):
    complaint_filter = selectors.complaint_list(user=request.user, filter_data=request.GET, request=request)
    if not complaint_filter.is_valid():
        raise DomainError("筛选条件无效。")
    stats = selectors.complaint_statistics(user=request.user, queryset=complaint_filter.qs.order_by())
    if request.GET.get("export") == "xlsx":
        return xlsx_response("投诉统计.xlsx", [
            ("按镇街", selectors.STATISTICS_HEADERS, selectors.statistics_rows(stats["by_town"])),
            ("按渠道", selectors.STATISTICS_HEADERS, selectors.statistics_rows(stats["by_channel"])),
        ])
    return render(request, "complaints/statistics.html", {"filter": complaint_filter, **stats})
