"""Writing notifications: tell an organisation (or some users) that something happened in a case.

Callers run inside their own ``transaction.atomic``: the rows are written with their change, and the
emails go out only once that change is committed, so a rolled-back referral never mails anyone.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from opennrm.lib.errors import DomainError
from opennrm.notifications.kinds import KINDS, render
from opennrm.notifications.models import Notification

if TYPE_CHECKING:
    from opennrm.accounts.models import Organisation, User

logger = logging.getLogger(__name__)


def notify(
    *,
    organisation: Organisation,
    kind: str,
    case_code: str = "",
    params: dict[str, Any] | None = None,
    roles: Iterable[str] | None = None,
    exclude_user: User | None = None,
    email: bool = True,
) -> int:
    """Notify every active user of ``organisation`` (only those whose role is in ``roles``, if given).

    Returns the number of notifications written.
    """
    users = get_user_model().objects.filter(organisation=organisation, is_active=True)
    if roles is not None:
        users = users.filter(role__code__in=list(roles))
    if exclude_user is not None:
        users = users.exclude(pk=exclude_user.pk)
    recipients = [(u, organisation.pk) for u in users.only("pk", "email", "organisation_id")]
    return _create(recipients=recipients, kind=kind, case_code=case_code, params=params, email=email)


def notify_users(
    *,
    users: Iterable[User],
    kind: str,
    case_code: str = "",
    params: dict[str, Any] | None = None,
    email: bool = True,
) -> int:
    """Notify these users (for example a supervisor). Inactive users and users without an
    organisation are skipped. Returns the number of notifications written."""
    recipients = []
    seen = set()
    for u in users:
        if u.pk in seen or not u.is_active or not u.organisation_id:
            continue
        seen.add(u.pk)
        recipients.append((u, u.organisation_id))
    return _create(recipients=recipients, kind=kind, case_code=case_code, params=params, email=email)


MAX_IDS = 500
MAX_ID = 2**63 - 1  # larger numbers overflow the database's integer


def mark_read(*, user: User, ids: Any = None, all: bool = False) -> int:
    """Mark the user's own unread notifications read; other users' ids match nothing.

    Returns how many changed.
    """
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if not all:
        if not _is_id_list(ids):
            raise DomainError(gettext("Choose notifications to mark as read."), field="ids")
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def _is_id_list(ids: Any) -> bool:
    # bool is a subclass of int: ``[true]`` from JSON is not an id.
    return (
        isinstance(ids, list)
        and 0 < len(ids) <= MAX_IDS
        and not any(isinstance(v, bool) or not isinstance(v, int) or not 0 < v <= MAX_ID for v in ids)
    )


# ---- internals ---------------------------------------------------------------------------------


def _clean_params(kind: str, params: dict[str, Any] | None) -> dict[str, Any]:
    if kind not in KINDS:
        # A typo in a caller should fail its tests, not write notifications nobody can read.
        raise ValueError(f"unknown notification kind: {kind!r}")
    if params is None:
        return {}
    if not isinstance(params, dict):
        raise ValueError("notification params must be a dict")
    cleaned: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, dt.datetime):
            value = timezone.localtime(value).date().isoformat() if timezone.is_aware(value) else value.date()
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif value is not None and not isinstance(value, str | int | float | bool):
            value = str(value)
        cleaned[str(key)] = value
    return cleaned


def _create(
    *,
    recipients: list[tuple[User, int]],
    kind: str,
    case_code: str,
    params: dict[str, Any] | None,
    email: bool,
) -> int:
    cleaned = _clean_params(kind, params)
    if not recipients:
        return 0
    now = timezone.now()
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=u,
                organisation_id=org_id,
                kind=kind,
                case_code=case_code or "",
                params=cleaned,
                created_at=now,
            )
            for u, org_id in recipients
        ]
    )
    addresses = [u.email for u, _org in recipients if u.email]
    if email and addresses:
        transaction.on_commit(lambda: _send_emails(kind=kind, params=cleaned, addresses=addresses))
    return len(recipients)


def _send_emails(*, kind: str, params: dict[str, Any], addresses: list[str]) -> None:
    """One email per address, in the default language.

    Email leaves the system and is read on phones and shared mailboxes: it carries only a generic
    subject and the title with the case code withheld — never a case code, a name or anything about a
    person. The reader follows the link and logs in (with the second factor) to see more.
    """
    try:
        with translation.override(settings.LANGUAGE_CODE):
            subject = "OpenNRM: " + gettext("You have a new notification")
            title = render(Notification(kind=kind, params=params, case_code=""), withhold_case=True)
            link = gettext("Log in to OpenNRM to read it: %(path)s") % {"path": reverse("notifications:list")}
            body = f"{title}\n\n{link}\n"
        send_mass_mail(
            [(subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in addresses],
            fail_silently=False,
        )
    except Exception:
        # The change that caused the notification is committed; a mail server outage must not undo
        # it or fail the request. The in-app notification is still there.
        logger.exception("could not send %d notification email(s) of kind %s", len(addresses), kind)
