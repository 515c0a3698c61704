from celery import shared_task

from .checks import register_checks_run


@shared_task(name="estate_registers.tasks.run_register_checks", time_limit=30 * 60, soft_time_limit=25 * 60)
def run_register_checks() -> dict[str, int]:
    """Daily: the estate registers' checks (fund not transferred, contract not filed / expired, fee
    above the filed standard). Safe to run twice: a finding is recorded once."""
    return register_checks_run()
