from celery import shared_task

from .checks import revenue_checks_run


@shared_task(name="public_revenue.tasks.run_revenue_checks", time_limit=30 * 60, soft_time_limit=25 * 60)
def run_revenue_checks() -> dict[str, int]:
    """Daily: the automatic public-revenue checks (B1 no account, B2 unapproved use, B3 overdue
    disclosure, B4 share above cap / spending without basis / income below contract). Safe to run
    twice: each finding is recorded once. Returns the new findings per check."""
    return revenue_checks_run()
