from django.urls import path

from opennrm.identification import views
from opennrm.identification.transnational import views as transnational_views

app_name = "identification"

urlpatterns = [
    path("referrals/", views.referral_inbox_view, name="inbox"),
    path("incidents/<str:code>/screening/", views.group_screening_view, name="group_screening"),
    path("cases/<str:code>/screenings/new/", views.screening_new_view, name="screening_new"),
    path("cases/<str:code>/screenings/<int:pk>/", views.screening_detail_view, name="screening"),
    path("cases/<str:code>/referrals/", views.referral_create_view, name="referral_create"),
    path(
        "cases/<str:code>/referrals/<int:pk>/respond/", views.referral_respond_view, name="referral_respond"
    ),
    path(
        "cases/<str:code>/referrals/<int:pk>/withdraw/",
        views.referral_withdraw_view,
        name="referral_withdraw",
    ),
    path("cases/<str:code>/procedure/", views.procedure_start_view, name="procedure_start"),
    path("cases/<str:code>/procedure/records/", views.procedure_record_view, name="procedure_record"),
    path("cases/<str:code>/decision/", views.decision_view, name="decision"),
    path("cases/<str:code>/age-assessments/", views.age_assessment_view, name="age_assessment"),
    path("cases/<str:code>/guardian/", views.guardian_view, name="guardian"),
    path(
        "cases/<str:code>/transnational/",
        transnational_views.transnational_register_view,
        name="transnational",
    ),
    path("cases/<str:code>/consents/", transnational_views.consent_record_view, name="consent_record"),
    path(
        "cases/<str:code>/consents/withdraw/",
        transnational_views.consent_withdraw_view,
        name="consent_withdraw",
    ),
    path(
        "cases/<str:code>/embassy-contacts/", transnational_views.embassy_contact_view, name="embassy_contact"
    ),
]
