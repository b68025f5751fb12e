"""/api/v1/ routes of intake, included by opennrm.api.urls."""

from django.urls import path

from opennrm.intake import apis, group_apis

urlpatterns = [
    # Not "incidents/group/": the incident detail route "incidents/<code>/" listed before this include would take it.
    path("incidents/group/register/", group_apis.GroupIntakeApi.as_view(), name="incident_group_register"),
    path("public-reports/", apis.PublicReportSubmitApi.as_view(), name="public_reports"),
    path("triage/", apis.TriageQueueApi.as_view(), name="triage"),
]
