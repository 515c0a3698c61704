"""Reads of owners' decisions, each from `visible_to(user)` where a user reads."""

from decimal import Decimal

from django.db.models import Count, Q, Sum

from .models import Ballot, Matter, OwnerUnit, Vote, VoteStatus
from .rules import MatterTally, percent


def turnout(vote: Vote) -> dict:
    """Participation so far: area and owners, absolute and as shares of the frozen totals."""
    row = Ballot.objects.filter(vote=vote).aggregate(area=Sum("area"), owners=Count("id"))
    area, owners = (row["area"] or Decimal("0")).quantize(Decimal("0.01")), row["owners"]
    return {
        "area": area, "owners": owners, "total_area": vote.total_area, "total_owners": vote.total_owners,
        "area_percent": percent(area, vote.total_area), "owners_percent": percent(owners, vote.total_owners),
    }


def ballot_unit_ids(vote: Vote) -> set[int]:
    return set(Ballot.objects.filter(vote=vote).values_list("unit_id", flat=True))


def units_without_ballot(vote: Vote):
    return OwnerUnit.objects.filter(estate_id=vote.estate_id).exclude(
        Q(pk__in=Ballot.objects.filter(vote=vote).values("unit_id"))
    ).order_by("unit")


def vote_list(*, user):
    return (
        Vote.objects.visible_to(user).select_related("estate__community__parent", "enterprise", "committee")
        .annotate(ballot_count=Count("ballots", distinct=True), voted_area=Sum("ballots__area"))
        .order_by("-created_at", "-id")
    )


def matter_rows(vote: Vote) -> list[dict]:
    """Each matter with its figures and both thresholds of 第二百七十八条, for pages and the API."""
    voted = turnout(vote)
    rows = []
    for matter in vote.matters.all():
        row = {"matter": matter, "closed": vote.status == VoteStatus.CLOSED}
        if vote.status == VoteStatus.CLOSED:
            tally = MatterTally(
                total_area=vote.total_area, total_owners=vote.total_owners, voted_area=voted["area"],
                voted_owners=voted["owners"], yes_area=matter.yes_area or Decimal("0.00"),
                yes_owners=matter.yes_owners or 0, majority=matter.majority,
            )
            row |= {
                "quorum": tally.quorum, "majority_met": tally.majority_met,
                "yes_area_percent": percent(tally.yes_area, voted["area"]),
                "yes_owners_percent": percent(tally.yes_owners, voted["owners"]),
            }
        rows.append(row)
    return rows


def public_votes(*, estate_id: int):
    """Closed votes of an estate for its public page: counts and the convening body (a committee or
    the community), never the staff user who recorded it."""
    return (
        Vote.objects.filter(estate_id=estate_id, status=VoteStatus.CLOSED).select_related("estate", "committee")
        .prefetch_related("matters").order_by("-closed_at")
    )


def enterprise_decisions(*, user, enterprise_id: int):
    """Owners' decisions about an enterprise (dismissal, hire, renewal) within the user's scope:
    the matters of closed votes where it served or was to be hired."""
    votes = Vote.objects.visible_to(user).filter(status=VoteStatus.CLOSED)
    return (
        Matter.objects.filter(vote__in=votes)
        .filter(Q(vote__enterprise_id=enterprise_id, kind__in=["dismiss", "renew"])
                | Q(new_enterprise_id=enterprise_id, kind="hire"))
        .select_related("vote__estate", "exit_record").order_by("-vote__closed_at", "position")
    )
