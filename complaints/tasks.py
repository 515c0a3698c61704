from celery import shared_task
from django.conf import settings

from .kept_photos import kept_photos_purge
from .services import complaint_join_case, complaints_anonymise, complaints_join_pending


@shared_task(name="complaints.tasks.anonymise_old_complaints", time_limit=30 * 60, soft_time_limit=25 * 60)
def anonymise_old_complaints(months: int | None = None) -> int:
    """Daily: removes complainants' personal data from complaints handled more than
    COMPLAINTS_ANONYMISE_AFTER_MONTHS (default 24) months ago. Safe to run twice."""
    return complaints_anonymise(months=months or settings.COMPLAINTS_ANONYMISE_AFTER_MONTHS)


@shared_task(name="complaints.tasks.purge_kept_photos", time_limit=10 * 60, soft_time_limit=9 * 60)
def purge_kept_photos() -> int:
    """Daily: deletes the public form's kept photos (complaints.kept_photos) nobody came back for."""
    return kept_photos_purge()


@shared_task(name="complaints.tasks.join_case", time_limit=5 * 60, soft_time_limit=4 * 60)
def join_case(complaint_id: int) -> bool:
    """A public complaint's grouping into its case and its SMS, after the form's commit
    (complaint_create with join_later). Safe to run twice."""
    return complaint_join_case(complaint_id=complaint_id)


@shared_task(name="complaints.tasks.join_pending", time_limit=10 * 60, soft_time_limit=9 * 60)
def join_pending() -> int:
    """Every 5 minutes: the public complaints a worker never joined to a case (complaints_join_pending)."""
    return complaints_join_pending()
