"""Reading notifications: always the given user's own."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from opennrm.notifications.models import Notification

if TYPE_CHECKING:
    from opennrm.accounts.models import User


def unread_count(*, user: User) -> int:
    # Served by the (recipient, read_at, -created_at) index; runs on every page for the badge.
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_list(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")
