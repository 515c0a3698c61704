from celery import shared_task

from .services import votes_close_due


@shared_task(name="votes.tasks.close_due_votes", time_limit=10 * 60, soft_time_limit=9 * 60)
def close_due_votes() -> int:
    """Every 15 minutes: counts the owners' votes whose deadline has passed (votes_close_due). Safe to run twice."""
    return votes_close_due()
