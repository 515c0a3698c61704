from celery import shared_task

from .checks import committee_renewal_check


@shared_task(name="subjects.tasks.run_committee_renewal_check", time_limit=30 * 60, soft_time_limit=25 * 60)
def run_committee_renewal_check() -> dict[str, int]:
    """Daily: committees due or overdue for 换届 open (or join) a case with the committee as its
    subject. Safe to run twice: each committee's term end is claimed once per finding."""
    return committee_renewal_check()
