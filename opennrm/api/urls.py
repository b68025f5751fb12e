"""/api/v1/ routes. Every view here declares ``access``; the access-matrix test walks this list."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from opennrm.accounts import apis as accounts_apis
from opennrm.cases import apis as cases_apis
from opennrm.core.http import Access

app_name = "api"


class SchemaView(SpectacularAPIView):
    access = Access(scope="authenticated")


class DocsView(SpectacularSwaggerSplitView):
    # The split view serves its configuration as a script file, so the page runs under our CSP.
    access = Access(scope="authenticated")


urlpatterns = [
    path("v1/me/", accounts_apis.MeApi.as_view(), name="me"),
    path("v1/organisations/", accounts_apis.OrganisationListApi.as_view(), name="organisations"),
    path("v1/organisations/<int:pk>/", accounts_apis.OrganisationDetailApi.as_view(), name="organisation"),
    path("v1/persons/", cases_apis.PersonListApi.as_view(), name="persons"),
    path("v1/persons/<str:code>/", cases_apis.PersonDetailApi.as_view(), name="person"),
    path("v1/incidents/", cases_apis.IncidentListApi.as_view(), name="incidents"),
    path("v1/incidents/<str:code>/", cases_apis.IncidentDetailApi.as_view(), name="incident"),
    path("v1/cases/", cases_apis.CaseListApi.as_view(), name="cases"),
    path("v1/cases/<str:code>/", cases_apis.CaseDetailApi.as_view(), name="case"),
    path("v1/cases/<str:code>/status/", cases_apis.CaseStatusApi.as_view(), name="case_status"),
    path("v1/cases/<str:code>/timeline/", cases_apis.CaseTimelineApi.as_view(), name="case_timeline"),
    path(
        "v1/cases/<str:code>/involvements/",
        cases_apis.CaseInvolvementsApi.as_view(),
        name="case_involvements",
    ),
    path(
        "v1/cases/<str:code>/involvements/<int:pk>/end/",
        cases_apis.InvolvementEndApi.as_view(),
        name="involvement_end",
    ),
    path("v1/cases/<str:code>/notes/", cases_apis.CaseNotesApi.as_view(), name="case_notes"),
    path("v1/", include("opennrm.intake.api_urls")),
    path("v1/", include("opennrm.identification.api_urls")),
    path("v1/", include("opennrm.assistance.api_urls")),
    path("v1/", include("opennrm.shelters.api_urls")),
    path("v1/", include("opennrm.residence.api_urls")),
    path("v1/", include("opennrm.protection.api_urls")),
    path("v1/", include("opennrm.notifications.api_urls")),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
]
