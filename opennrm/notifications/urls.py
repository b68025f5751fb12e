from django.urls import path

from opennrm.notifications import views

app_name = "notifications"

# No ids in these URLs: the ids to mark read come in the form, and only the user's own match.
urlpatterns = [
    path("notifications/", views.notification_list_view, name="list"),
    path("notifications/read/", views.notification_read_view, name="read"),
]
