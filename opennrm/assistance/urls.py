"""Pages of the assistance plan."""

from django.urls import path

from opennrm.assistance import closure_views, views

app_name = "assistance"

urlpatterns = [
    path("services/", views.provider_inbox_view, name="inbox"),
    path("services/<int:pk>/step/", views.provider_step_form_view, name="inbox_step"),
    path("assistance/statistics/", views.assistance_statistics_view, name="statistics"),
    path("cases/<str:code>/assistance/needs/", views.needs_assess_view, name="needs"),
    path("cases/<str:code>/assistance/plan/", views.plan_update_view, name="plan"),
    path("cases/<str:code>/assistance/plan/approve/", views.plan_approve_view, name="plan_approve"),
    path("cases/<str:code>/assistance/services/", views.service_request_view, name="service_request"),
    path("cases/<str:code>/assistance/services/step/", views.service_step_view, name="service_step"),
    path(
        "cases/<str:code>/assistance/services/consent-withdraw/",
        views.service_consent_withdraw_view,
        name="service_consent_withdraw",
    ),
    path("cases/<str:code>/cooperation/", views.cooperation_view, name="cooperation"),
    path("cases/<str:code>/reintegration/", closure_views.reintegration_view, name="reintegration"),
    path("cases/<str:code>/reintegration/follow-up/", closure_views.follow_up_view, name="follow_up"),
    path("cases/<str:code>/closure/", closure_views.closure_request_view, name="closure_request"),
    path("cases/<str:code>/closure/review/", closure_views.closure_review_view, name="closure_review"),
    path("cases/<str:code>/closure/reopen/", closure_views.reopen_view, name="reopen"),
]
