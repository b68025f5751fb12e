from django.urls import path

from opennrm.intake import group_views, public_views, views

app_name = "intake"

urlpatterns = [
    path("cases/new/", views.intake_view, name="new"),
    path("incidents/group/new/", group_views.group_new_view, name="group_new"),
    path("incidents/group/template.csv", group_views.group_template_view, name="group_template"),
    path("report/", public_views.public_report_view, name="public_report"),
    path("report/thanks/", public_views.public_report_thanks_view, name="public_report_thanks"),
    path("triage/", public_views.triage_list_view, name="triage"),
    path("triage/<str:report_code>/", public_views.triage_detail_view, name="triage_report"),
]
