"""Actions of the residence and health-care section of the case page."""

from django.urls import path

from opennrm.residence import views

app_name = "residence"

urlpatterns = [
    path("cases/<str:code>/residence/permits/", views.permit_apply_view, name="permit_apply"),
    path(
        "cases/<str:code>/residence/permits/<int:pk>/decision/",
        views.permit_decide_view,
        name="permit_decide",
    ),
    path(
        "cases/<str:code>/residence/permits/<int:pk>/renewal/", views.permit_renew_view, name="permit_renew"
    ),
    path("cases/<str:code>/residence/health-coverage/", views.health_coverage_view, name="health_coverage"),
]
