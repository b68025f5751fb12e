"""/api/v1/ routes of residence permits and health coverage, included by opennrm.api.urls."""

from django.urls import path

from opennrm.residence import apis

urlpatterns = [
    path(
        "cases/<str:code>/residence-permits/",
        apis.CaseResidencePermitsApi.as_view(),
        name="case_residence_permits",
    ),
    path(
        "cases/<str:code>/residence-permits/<int:pk>/decision/",
        apis.ResidencePermitDecisionApi.as_view(),
        name="residence_permit_decision",
    ),
    path(
        "cases/<str:code>/residence-permits/<int:pk>/renewal/",
        apis.ResidencePermitRenewalApi.as_view(),
        name="residence_permit_renewal",
    ),
    path(
        "cases/<str:code>/health-coverage/", apis.CaseHealthCoverageApi.as_view(), name="case_health_coverage"
    ),
]
