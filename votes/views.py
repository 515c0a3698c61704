"""Pages of owners' decisions: staff pages (login, scoped) and the owners' public pages (the
ballot page reached by a one-time code, and the estate's results)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.capabilities import can, require
from communities.models import Estate
from complaints import abuse
from core.errors import DomainError
from core.files import serve_private
from core.net import client_ip
from subjects.models import OwnersCommittee

from . import privacy, selectors, services
from .forms import CodeForm, MatterForm, OwnerUnitForm, VoteForm, choices_from_post
from .models import Ballot, BallotChoice, OwnerUnit, Vote, VoteEvent, VoteStatus

SESSION_BALLOT = "votes_ballot_digest"


# ---------------------------------------------------------------------------------------------
# Owners register


@login_required
def owner_register(request, estate_id: int):
    estate = get_object_or_404(Estate.objects.visible_to(request.user).with_regions(), pk=estate_id)
    if request.user.is_enterprise_user:  # the register is never shown to an enterprise (OwnerUnitQuerySet)
        raise Http404
    form = OwnerUnitForm(request.POST or None)
    if request.method == "POST":
        require(request.user, "owners.manage", "登记业主名册")
        if form.is_valid():
            services.owner_unit_record(user=request.user, estate_id=estate.pk, **form.cleaned_data)
            messages.success(request, f"已登记 {form.cleaned_data['unit']}。")
            return redirect("votes:owner-register", estate_id=estate.pk)
    units = OwnerUnit.objects.visible_to(request.user).filter(estate=estate).order_by("unit")
    rows = [(u, privacy.owner_display(u, request.user)) for u in units]
    return render(request, "votes/owner_register.html", {
        "estate": estate, "rows": rows, "form": form, "total_area": sum((u.area for u in units), 0),
        "can_manage": can(request.user, "owners.manage"),
    }, status=400 if form.errors else 200)


# ---------------------------------------------------------------------------------------------
# Votes (staff)


@login_required
def vote_list(request):
    return render(request, "votes/vote_list.html", {
        "votes": selectors.vote_list(user=request.user)[:200], "can_manage": can(request.user, "vote.manage"),
    })


@login_required
def vote_create(request):
    require(request.user, "vote.manage", "组织业主表决")
    estates = Estate.objects.visible_to(request.user).with_regions().order_by("name")
    committees = (OwnersCommittee.objects.visible_to(request.user).current().select_related("estate")
                  .order_by("estate__name", "id"))
    form = VoteForm(request.POST or None, estates=estates, committees=committees,
                    initial={"estate": request.GET.get("estate"), "committee": request.GET.get("committee")})
    status = 400
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            vote = services.vote_create(user=request.user, estate_id=data["estate"].pk, title=data["title"],
                                        closes_at=data["closes_at"],
                                        committee_id=data["committee"].pk if data["committee"] else None)
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status_code
        else:
            messages.success(request, "表决已创建，请添加表决事项。")
            return redirect("votes:vote-detail", pk=vote.pk)
    return render(request, "votes/vote_form.html", {"form": form}, status=status if form.errors else 200)


def _vote_for(request, pk):
    return get_object_or_404(Vote.objects.visible_to(request.user).select_related("estate__community", "enterprise",
                                                                                  "organiser", "committee"), pk=pk)


@login_required
def vote_detail(request, pk: int):
    vote = _vote_for(request, pk)
    voted_units = selectors.ballot_unit_ids(vote)
    ballots = {b.unit_id: b for b in Ballot.objects.filter(vote=vote)}
    units = OwnerUnit.objects.filter(estate_id=vote.estate_id).order_by("unit")
    return render(request, "votes/vote_detail.html", {
        "vote": vote, "turnout": selectors.turnout(vote), "rows": selectors.matter_rows(vote),
        "units": [(u, ballots.get(u.pk)) for u in units], "voted_count": len(voted_units),
        "codes_count": vote.codes.count(), "events": VoteEvent.objects.filter(vote=vote).select_related("actor"),
        "matter_form": MatterForm(), "can_manage": can(request.user, "vote.manage"),
        "can_paper": can(request.user, "vote.enter_paper"), "can_exit": can(request.user, "exit.manage"),
        "closed": vote.status == VoteStatus.CLOSED,
    })


@login_required
@require_POST
def matter_add(request, pk: int):
    vote = _vote_for(request, pk)
    form = MatterForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("votes:vote-detail", pk=vote.pk)
    data = form.cleaned_data
    services.matter_add(
        user=request.user, vote_id=vote.pk, kind=data["kind"], title=data["title"],
        new_enterprise_id=data["new_enterprise"].pk if data["new_enterprise"] else None,
        new_manager_name=data["new_manager_name"], handover_deadline=data["handover_deadline"],
        notice_days=data["notice_days"] if data["notice_days"] is not None else services.DISMISSAL_NOTICE_DAYS,
        renew_until=data["renew_until"],
    )
    messages.success(request, "已添加表决事项。")
    return redirect("votes:vote-detail", pk=vote.pk)


@login_required
@require_POST
def vote_open(request, pk: int):
    services.vote_open(user=request.user, vote_id=_vote_for(request, pk).pk)
    messages.success(request, "表决已开始，请发放投票码。")
    return redirect("votes:vote-detail", pk=pk)


@login_required
@require_POST
def vote_close(request, pk: int):
    services.vote_close(user=request.user, vote_id=_vote_for(request, pk).pk)
    messages.success(request, "表决已结束，计票结果已生成并公示。")
    return redirect("votes:vote-detail", pk=pk)


@login_required
@require_POST
def codes_issue(request, pk: int):
    """Prints the notices with the new codes (shown this once: only their hashes are kept)."""
    vote = _vote_for(request, pk)
    unit_ids = [int(u) for u in request.POST.getlist("unit") if u.isdigit()] or None
    issued = services.ballot_codes_issue(user=request.user, vote_id=vote.pk, unit_ids=unit_ids,
                                         by_sms=request.POST.get("sms") == "1")
    ballot_url = request.build_absolute_uri("/votes/b/")
    return render(request, "votes/codes_print.html", {"vote": vote, "issued": issued, "ballot_url": ballot_url,
                                                      "texted": sum(i.texted for i in issued)})


@login_required
def paper_enter(request, pk: int):
    vote = _vote_for(request, pk)
    require(request.user, "vote.enter_paper", "录入纸质表决票")
    matters = list(vote.matters.all())
    error = ""
    if request.method == "POST":
        unit_id = request.POST.get("unit", "")
        try:
            services.ballot_enter_paper(
                user=request.user, vote_id=vote.pk, unit_id=int(unit_id) if unit_id.isdigit() else 0,
                choices=choices_from_post(request.POST, matters), photo=request.FILES.get("photo"),
            )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, "纸质表决票已录入。")
            return redirect("votes:vote-detail", pk=vote.pk)
    return render(request, "votes/paper_form.html", {
        "vote": vote, "matters": matters, "units": selectors.units_without_ballot(vote), "error": error,
    }, status=400 if error else 200)


@login_required
@require_POST
def matter_exit(request, pk: int):
    record = services.matter_exit_register(user=request.user, matter_id=pk)
    messages.success(request, "已依据业主决定登记退出记录。")
    return redirect("enterprises:exit-detail", pk=record.pk)


@login_required
def ballot_photo(request, pk: int):
    """A paper ballot's photo shows the unit's choices: before the close only to whoever entered it."""
    rows = Ballot.objects.filter(Q(vote__status=VoteStatus.CLOSED) | Q(entered_by=request.user))
    return serve_private(request, rows, pk=pk, field="photo", name_field="photo_name")


@login_required
def enterprise_decisions(request, pk: int):
    """The credit file's panel (loaded by htmx): owners' decisions about this enterprise."""
    return render(request, "votes/_enterprise_decisions.html", {
        "matters": selectors.enterprise_decisions(user=request.user, enterprise_id=pk),
    })


# ---------------------------------------------------------------------------------------------
# Owners (no login): the ballot page and the estate's results


def _rate_limited(request):
    try:
        abuse.rate_limit_hit("ballot_ip", client_ip(request))
    except abuse.RateLimited as exc:
        return render(request, "votes/public_code.html", {"form": CodeForm(), "error": exc.message}, status=429)
    return None


def ballot_start(request):
    """The owner types the code from the paper notice (or opens the notice's link with ?c=). The
    session keeps the code's keyed hash, never the code, and the URL of the ballot holds neither."""
    raw = request.POST.get("code") if request.method == "POST" else request.GET.get("c")
    form = CodeForm(request.POST or None, initial={"code": request.GET.get("c", "")})
    if raw:
        limited = _rate_limited(request)
        if limited:
            return limited
        found = services.ballot_code_find(code=raw)
        if found is not None:
            request.session[SESSION_BALLOT] = found.code_hash
            return redirect("votes:ballot")
        return render(request, "votes/public_code.html", {
            "form": form, "error": "投票码不正确，或该表决已经结束。请核对纸质通知上的投票码。"}, status=404)
    return render(request, "votes/public_code.html", {"form": form})


def ballot(request):
    digest = request.session.get(SESSION_BALLOT, "")
    found = services.ballot_code_find(digest=digest) if digest else None
    if found is None:
        return redirect("votes:ballot-start")
    vote, unit = found.vote, found.unit
    matters = list(vote.matters.all())
    error, saved = "", False
    if request.method == "POST":
        limited = _rate_limited(request)
        if limited:
            return limited
        try:
            services.ballot_cast(digest=digest, choices=choices_from_post(request.POST, matters))
        except DomainError as exc:
            error = exc.message
        else:
            saved = True
    mine = Ballot.objects.filter(vote=vote, unit=unit).prefetch_related(
        Prefetch("choices", queryset=BallotChoice.objects.all())).first()
    current = {c.matter_id: c.choice for c in mine.choices.all()} if mine else {}
    if error:
        current |= {int(k): v for k, v in choices_from_post(request.POST, matters).items()}
    return render(request, "votes/public_ballot.html", {
        "vote": vote, "unit": unit, "rows": [(m, current.get(m.pk, "")) for m in matters], "ballot": mine,
        "error": error, "saved": saved, "open": vote.status == VoteStatus.OPEN,
    }, status=400 if error else 200)


def public_estate(request, estate_id: int):
    estate = Estate.objects.select_related("community__parent").filter(pk=estate_id).first()
    if estate is None:
        raise Http404
    results = [(vote, selectors.turnout(vote), selectors.matter_rows(vote))
               for vote in selectors.public_votes(estate_id=estate.pk)]
    open_votes = Vote.objects.filter(estate=estate, status=VoteStatus.OPEN).select_related("estate", "committee")
    return render(request, "votes/public_estate.html", {"estate": estate, "results": results,
                                                        "open_votes": open_votes})
