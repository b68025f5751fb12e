"""/api/v1/ routes of identification and referral, included by opennrm.api.urls."""

from django.urls import path

from opennrm.identification import apis
from opennrm.identification.transnational import apis as transnational_apis

urlpatterns = [
    path("indicator-sets/", apis.IndicatorSetListApi.as_view(), name="indicator_sets"),
    path(
        "indicator-sets/<str:set_code>/<str:version>/",
        apis.IndicatorSetDetailApi.as_view(),
        name="indicator_set",
    ),
    path("referrals/inbox/", apis.ReferralInboxApi.as_view(), name="referral_inbox"),
    path("cases/<str:code>/screenings/", apis.CaseScreeningsApi.as_view(), name="case_screenings"),
    path("cases/<str:code>/referrals/", apis.CaseReferralsApi.as_view(), name="case_referrals"),
    path(
        "cases/<str:code>/referrals/<int:pk>/respond/",
        apis.ReferralRespondApi.as_view(),
        name="referral_respond",
    ),
    path(
        "cases/<str:code>/referrals/<int:pk>/withdraw/",
        apis.ReferralWithdrawApi.as_view(),
        name="referral_withdraw",
    ),
    path("cases/<str:code>/safeguards/", apis.CaseSafeguardsApi.as_view(), name="case_safeguards"),
    # The former path, kept for clients written against it (deprecated in the schema).
    path("cases/<str:code>/protections/", apis.CaseProtectionsApi.as_view(), name="case_protections"),
    path("cases/<str:code>/procedure/", apis.ProcedureApi.as_view(), name="case_procedure"),
    path("cases/<str:code>/procedure/records/", apis.ProcedureRecordsApi.as_view(), name="procedure_records"),
    path("cases/<str:code>/decisions/", apis.CaseDecisionsApi.as_view(), name="case_decisions"),
    path("cases/<str:code>/age-assessments/", apis.AgeAssessmentApi.as_view(), name="age_assessments"),
    path("cases/<str:code>/guardian/", apis.GuardianApi.as_view(), name="guardian"),
    path("cases/<str:code>/consents/", transnational_apis.CaseConsentsApi.as_view(), name="case_consents"),
    path(
        "cases/<str:code>/consents/withdraw/",
        transnational_apis.ConsentWithdrawApi.as_view(),
        name="consent_withdraw",
    ),
    path(
        "cases/<str:code>/embassy-contacts/",
        transnational_apis.CaseEmbassyContactsApi.as_view(),
        name="case_embassy_contacts",
    ),
    path(
        "cases/<str:code>/transnational/",
        transnational_apis.CaseTransnationalApi.as_view(),
        name="case_transnational",
    ),
]
