from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def notifications(request: HttpRequest) -> dict[str, Any]:
    """The unread count for the header badge. Anonymous visitors cost no query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from opennrm.notifications.selectors import unread_count

    return {"unread_notifications": unread_count(user=user)}
