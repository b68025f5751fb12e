"""Pages of the security section of a case."""

from django.urls import path

from opennrm.protection import views

app_name = "protection"

urlpatterns = [
    path("cases/<str:code>/security/risk/", views.risk_assess_view, name="risk"),
    path("cases/<str:code>/security/measures/", views.measure_add_view, name="measure_add"),
    path("cases/<str:code>/security/measures/end/", views.measure_end_view, name="measure_end"),
    path("cases/<str:code>/security/named/", views.staff_name_view, name="staff_name"),
    path("cases/<str:code>/security/named/end/", views.staff_unname_view, name="staff_unname"),
    path("cases/<str:code>/family-assessment/", views.family_assess_view, name="family_assess"),
]
