"""/api/v1/ routes of security and protection, included by opennrm.api.urls."""

from django.urls import path

from opennrm.protection import apis

urlpatterns = [
    path(
        "cases/<str:code>/risk-assessments/",
        apis.CaseRiskAssessmentsApi.as_view(),
        name="case_risk_assessments",
    ),
    path(
        "cases/<str:code>/protection-measures/",
        apis.CaseMeasuresApi.as_view(),
        name="case_protection_measures",
    ),
    path(
        "cases/<str:code>/protection-measures/<int:pk>/end/",
        apis.MeasureEndApi.as_view(),
        name="protection_measure_end",
    ),
    path("cases/<str:code>/named-staff/", apis.CaseNamedStaffApi.as_view(), name="case_named_staff"),
    path(
        "cases/<str:code>/named-staff/<int:pk>/end/", apis.NamedStaffEndApi.as_view(), name="named_staff_end"
    ),
    path(
        "cases/<str:code>/family-assessments/",
        apis.CaseFamilyAssessmentsApi.as_view(),
        name="case_family_assessments",
    ),
]
