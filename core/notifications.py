"""In-product notifications (站内通知), with an e-mail copy when an SMTP host is configured and an
SMS copy (core.sms) to those who take SMS, when the caller gives the SMS text."""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from . import sms
from .models import Notification


def notification_send(*, users: Iterable, title: str, url: str = "", body: str = "", key: str = "",
                      sms_text: str = "", sms_kind: str = "notification") -> list[Notification]:
    """Creates one notification per distinct active user. The e-mail (if EMAIL_HOST is set and the
    user has an address) is sent after the surrounding transaction commits, so a rolled-back
    action never mails anybody.

    `key` names the event (e.g. "deadline-digest:2026-12-03"): a user who already has a
    notification with that key gets nothing more, so a job that runs twice notifies once.
    `sms_text`, when given, is also sent by SMS to the users who switched SMS on and gave a mobile
    number (core.sms, after commit; once per user and key when a key is given)."""
    users = list(users)
    seen, rows = set(), []
    already = set(Notification.objects.filter(user__in=[u.pk for u in users], key=key).values_list("user_id", flat=True)
                  ) if key else set()
    for user in users:
        if user.pk in seen or not user.is_active or user.pk in already:
            continue
        seen.add(user.pk)
        rows.append(Notification(user=user, title=title[:200], url=url, body=body, key=key))
    if key:
        created = []
        for row in rows:  # one savepoint each: the same key written at the same moment by another run
            try:
                with transaction.atomic():
                    row.save()
                created.append(row)
            except IntegrityError:
                seen.discard(row.user_id)
    else:
        created = Notification.objects.bulk_create(rows)
    recipients = sorted({u.email for u in users if u.pk in seen and u.email})
    if settings.EMAIL_HOST and recipients:
        message = f"{body}\n\n{url}".strip()

        def mail():
            send_mail(title, message, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=True)

        transaction.on_commit(mail)
    if sms_text:
        by_id = {u.pk: u for u in users}
        tokens = sms.sms_recipients([by_id[row.user_id] for row in created])
        for row in created:  # one SMS per notification: the notification is the event
            if row.user_id in tokens:
                sms.sms_queue(key=f"notification:{row.pk}", kind=sms_kind, text=sms_text,
                              phone_token=tokens[row.user_id], user=by_id[row.user_id])
    return created


def notification_list_unread(*, user):
    return Notification.objects.filter(user=user, read_at__isnull=True)
