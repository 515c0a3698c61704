"""Account services. API tokens (DRF authtoken, one per user) with a lifetime:
settings.API_TOKEN_TTL_DAYS from the token's creation. A lifetime bounds how long a token copied
into a script or a leaked configuration keeps working; revoking ends it at once. Below them:
passwords (one's own change, the county's reset with a one-time password) and the users a county
or the city runs (accounts.user_scope), each change logged as a UserEvent."""

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from core.errors import InvalidInput, MissingField, NotFound

from .capabilities import require
from .models import User, UserEvent, UserEventKind
from .roles import Role
from .user_scope import assignment_problem, users_managed_by


def token_expires_at(token: Token) -> datetime:
    return token.created + timedelta(days=settings.API_TOKEN_TTL_DAYS)


def token_is_expired(token: Token) -> bool:
    return timezone.now() >= token_expires_at(token)


def token_obtain(*, user) -> Token:
    """The user's token while it is valid; once it has expired, a new one (new key, new lifetime)
    in its place. Two clients of one user share the token, as before."""
    with transaction.atomic():
        token = Token.objects.select_for_update().filter(user=user).first()
        if token is not None and token_is_expired(token):
            token.delete()
            token = None
        if token is None:
            # get_or_create: a concurrent first request of the same user may have created it
            token, _ = Token.objects.get_or_create(user=user)
    return token


def token_revoke(*, user) -> None:
    """Deletes the user's token, so every client holding it gets 401; safe to repeat."""
    Token.objects.filter(user=user).delete()


# ---------------------------------------------------------------------------------------------
# Passwords and the users a county (or the city) runs. Every change writes one UserEvent.

#: letters and digits a person reads out without confusion (no 0/O, 1/l/I)
_ONE_TIME_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789"


def one_time_password() -> str:
    """12 characters in three groups (Ab3k-9Qm2-xP7r): shown once, changed at the first login."""
    while True:
        chars = "".join(secrets.choice(_ONE_TIME_ALPHABET) for _ in range(12))
        if any(c.isdigit() for c in chars) and any(c.isalpha() for c in chars):
            return f"{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def _record(*, actor, user, kind: str, before: dict | None = None, after: dict | None = None, note: str = "") -> None:
    UserEvent.objects.create(actor=actor, user=user, kind=kind, note=note,
                             from_state=(before or {}).get("role", ""), to_state=(after or {}).get("role", ""),
                             data={"before": before or {}, "after": after or {}})


def _assignment(user) -> dict:
    return {"role": user.role, "region": user.region.full_name if user.region_id else "",
            "region_id": user.region_id, "enterprise": str(user.enterprise) if user.enterprise_id else "",
            "enterprise_id": user.enterprise_id, "name": user.first_name, "phone": user.phone}


def password_change(*, user, new_password: str) -> None:
    """Sets the user's own new password (checked by AUTH_PASSWORD_VALIDATORS, Chinese messages),
    ends the forced change, revokes the API token; every other session of the user ends with
    the old password hash (the caller keeps its own with update_session_auth_hash)."""
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise InvalidInput("；".join(exc.messages)) from exc
    with transaction.atomic():
        user.set_password(new_password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        token_revoke(user=user)
        _record(actor=user, user=user, kind=UserEventKind.PASSWORD_CHANGED)


def _managed(actor, user_id: int):
    require(actor, "user.manage")
    user = users_managed_by(actor).select_for_update(of=("self",)).filter(pk=user_id).first()
    if user is None:
        raise NotFound("该用户不存在或不在您的管辖范围内。")
    return user


def _check_assignment(actor, *, role, region, enterprise) -> None:
    problem = assignment_problem(actor, role=role, region=region, enterprise=enterprise)
    if problem:
        raise InvalidInput(problem)


def user_create(*, actor, username: str, full_name: str, role: str, region=None, enterprise=None,
                phone: str = "") -> tuple[User, str]:
    """A new user in the actor's scope, with a one-time password (returned, shown once) that must
    be changed at the first login."""
    require(actor, "user.manage")
    username = (username or "").strip()
    if not username:
        raise MissingField("请填写用户名。")
    if role == Role.ENTERPRISE:
        region = None
    else:
        enterprise = None
    _check_assignment(actor, role=role, region=region, enterprise=enterprise)
    password = one_time_password()
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise InvalidInput(f"用户名“{username}”已被使用，请换一个。")
        user = User(username=username, first_name=full_name.strip(), role=role, region=region, enterprise=enterprise,
                    phone=phone.strip(), must_change_password=True)
        user.set_password(password)
        user.save()
        _record(actor=actor, user=user, kind=UserEventKind.CREATED, after=_assignment(user))
    return user, password


def user_reassign(*, actor, user_id: int, role: str, region=None, enterprise=None, full_name: str,
                  phone: str = "") -> User:
    """Another role, region or enterprise (or name, phone) for a user the actor runs."""
    if role == Role.ENTERPRISE:
        region = None
    else:
        enterprise = None
    with transaction.atomic():
        user = _managed(actor, user_id)
        _check_assignment(actor, role=role, region=region, enterprise=enterprise)
        before = _assignment(user)
        user.role, user.region, user.enterprise = role, region, enterprise
        user.first_name, user.phone = full_name.strip(), phone.strip()
        user.save(update_fields=["role", "region", "enterprise", "first_name", "phone"])
        after = _assignment(user)
        if after != before:
            _record(actor=actor, user=user, kind=UserEventKind.REASSIGNED, before=before, after=after)
    return user


def user_set_active(*, actor, user_id: int, active: bool, reason: str = "") -> User:
    """停用 / 启用. A disabled user's sessions and API token stop working at once (Django refuses
    an inactive user's session; the token is revoked)."""
    with transaction.atomic():
        user = _managed(actor, user_id)
        if user.is_active == active:
            return user
        if not active and not reason.strip():
            raise MissingField("请填写停用原因。")
        user.is_active = active
        user.save(update_fields=["is_active"])
        if not active:
            token_revoke(user=user)
        _record(actor=actor, user=user, kind=UserEventKind.ENABLED if active else UserEventKind.DISABLED,
                note=reason.strip())
    return user


def user_password_reset(*, actor, user_id: int) -> tuple[User, str]:
    """A one-time password (returned, shown once) for a user the actor runs; the user must change
    it at the next login, and every session and token of the old password ends."""
    password = one_time_password()
    with transaction.atomic():
        user = _managed(actor, user_id)
        user.set_password(password)
        user.must_change_password = True
        user.save(update_fields=["password", "must_change_password"])
        token_revoke(user=user)
        _record(actor=actor, user=user, kind=UserEventKind.PASSWORD_RESET)
    return user, password
