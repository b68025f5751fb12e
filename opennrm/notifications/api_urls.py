"""/api/v1/notifications/ routes, included by opennrm.api.urls."""

from django.urls import path

from opennrm.notifications import apis

urlpatterns = [
    path("notifications/", apis.NotificationListApi.as_view(), name="notifications"),
    path("notifications/read/", apis.NotificationReadApi.as_view(), name="notifications_read"),
]
