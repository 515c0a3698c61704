"""In-product notifications (站内通知), with an e-mail copy when an SMTP host is configured."""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from .models import Notification


def notification_send(*, users: Iterable, title: str, url: str = "", body: str = "") -> list[Notification]:
    """Creates one notification per distinct active user. The e-mail (if EMAIL_HOST is set and the
    user has an address) is sent after the surrounding transaction commits, so a rolled-back
    action never mails anybody."""
    users = list(users)
    seen, rows = set(), []
    for user in users:
        if user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(Notification(user=user, title=title[:200], url=url, body=body))
    created = Notification.objects.bulk_create(rows)
    recipients = sorted({u.email for u in users if u.pk in seen and u.email})
    if settings.EMAIL_HOST and recipients:
        message = f"{body}\n\n{url}".strip()

        def mail():
            send_mail(title, message, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=True)

        transaction.on_commit(mail)
    return created


def notification_list_unread(*, user):
    return Notification.objects.filter(user=user, read_at__isnull=True)
