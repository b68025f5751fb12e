from django.urls import path

from opennrm.audit import views

app_name = "audit"

urlpatterns = [
    path("audit/", views.audit_list_view, name="list"),
    path("audit/verify/", views.audit_verify_view, name="verify"),
]
