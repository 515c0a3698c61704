"""The daily 换届 check (盘锦（三）6: 业主委员会任期届满后未及时换届): current committees whose term
ends within the county's notice period (due) or has ended (overdue). Each finding is claimed once
per committee and term end by a conditional update of the committee's claim column, and sends one
clue (source AUTO_CHECK) through rectification's clues_intake with the committee as the case's
subject: it opens a case, or joins the open H6 case of the estate (a due finding's case is joined
by its overdue finding). Safe to run twice: the second run claims nothing."""

import logging
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from campaigns.models import ProblemCategory, SubjectKind
from campaigns.selectors import campaign_for
from rectification.models import ClueSource
from rectification.services import ClueInput, clues_intake

from .models import OwnersCommittee

logger = logging.getLogger(__name__)

#: taxonomy category of both findings (campaigns.taxonomy H6 任期届满未及时换届选举)
CATEGORY_CODE = "H6"
#: days before the term end from which a committee is due for 换届 (settings may change it)
DEFAULT_DUE_DAYS = 90


def _claim(committee_id: int, column: str) -> bool:
    """Marks the committee's current term end as recorded in `column`; False if it already was."""
    unclaimed = Q(**{f"{column}__isnull": True}) | ~Q(**{column: F("term_end")})
    return bool(OwnersCommittee.objects.filter(unclaimed, pk=committee_id, is_current=True).update(**{column: F("term_end")}))


def committee_renewal_check(*, today: date | None = None, due_days: int | None = None) -> dict[str, int]:
    """Opens (or joins) a case for every current committee due or overdue for 换届 not yet
    recorded for its term end. Returns how many findings of each kind it recorded."""
    today = today or timezone.localdate()
    due_days = due_days if due_days is not None else getattr(settings, "COMMITTEE_RENEWAL_DUE_DAYS", DEFAULT_DUE_DAYS)
    recorded = {"due": 0, "overdue": 0}
    category = ProblemCategory.objects.filter(code=CATEGORY_CODE).first()
    if category is None:
        logger.warning("committee renewal check: category %s missing", CATEGORY_CODE)
        return recorded
    findings = [
        ("overdue", "renewal_overdue_recorded_for", OwnersCommittee.objects.renewal_overdue(today=today)),
        ("due", "renewal_due_recorded_for", OwnersCommittee.objects.renewal_due(today=today, days=due_days)),
    ]
    for kind, column, committees in findings:
        unclaimed = Q(**{f"{column}__isnull": True}) | ~Q(**{column: F("term_end")})
        for committee in committees.filter(unclaimed).select_related("estate__community").order_by("pk"):
            with transaction.atomic():
                if not _claim(committee.pk, column):
                    continue  # a parallel run recorded it first
                what = "任期已届满，未换届" if kind == "overdue" else f"任期将于 {committee.term_end:%Y-%m-%d} 届满，应筹备换届"
                clues_intake(clues=[ClueInput(
                    estate=committee.estate, category=category, source=ClueSource.AUTO_CHECK,
                    campaign_id=getattr(campaign_for(committee.estate, today=today), "pk", None),
                    reference=f"换届自动核查：{committee.get_kind_display()}{what}",
                    description=f"{committee.estate.name}{committee.get_kind_display()}{what}"
                                f"（本届任期 {committee.term_start:%Y-%m-%d} 至 {committee.term_end:%Y-%m-%d}）。",
                    source_app_label="subjects", source_object_id=f"{committee.pk}:{kind}:{committee.term_end}",
                    subject_kind=SubjectKind.COMMITTEE, owners_committee_id=committee.pk,
                )])
            recorded[kind] += 1
    return recorded
