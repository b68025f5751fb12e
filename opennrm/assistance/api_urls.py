"""/api/v1/ routes of the assistance plan, included by opennrm.api.urls."""

from django.urls import path

from opennrm.assistance import apis, closure_apis

urlpatterns = [
    path("services/inbox/", apis.ServiceInboxApi.as_view(), name="service_inbox"),
    path("services/inbox/<int:pk>/step/", apis.ServiceInboxStepApi.as_view(), name="service_inbox_step"),
    path("assistance/statistics/", apis.AssistanceStatisticsApi.as_view(), name="assistance_statistics"),
    path(
        "cases/<str:code>/needs-assessments/",
        apis.CaseNeedsAssessmentsApi.as_view(),
        name="case_needs_assessments",
    ),
    path(
        "cases/<str:code>/assistance-plan/", apis.CaseAssistancePlanApi.as_view(), name="case_assistance_plan"
    ),
    path(
        "cases/<str:code>/assistance-plan/approve/",
        apis.PlanApproveApi.as_view(),
        name="assistance_plan_approve",
    ),
    path("cases/<str:code>/services/", apis.CaseServicesApi.as_view(), name="case_services"),
    path("cases/<str:code>/services/<int:pk>/step/", apis.ServiceStepApi.as_view(), name="case_service_step"),
    path(
        "cases/<str:code>/services/<int:pk>/consent-withdraw/",
        apis.ServiceConsentWithdrawApi.as_view(),
        name="case_service_consent_withdraw",
    ),
    path("cases/<str:code>/cooperation/", apis.CaseCooperationApi.as_view(), name="case_cooperation"),
    path(
        "cases/<str:code>/reintegration/",
        closure_apis.CaseReintegrationApi.as_view(),
        name="case_reintegration",
    ),
    path("cases/<str:code>/follow-ups/<int:pk>/", closure_apis.FollowUpApi.as_view(), name="case_follow_up"),
    path("cases/<str:code>/closures/", closure_apis.CaseClosuresApi.as_view(), name="case_closures"),
    path(
        "cases/<str:code>/closures/<int:pk>/review/",
        closure_apis.ClosureReviewApi.as_view(),
        name="closure_review",
    ),
    path("cases/<str:code>/reopen/", closure_apis.CaseReopenApi.as_view(), name="case_reopen"),
]
