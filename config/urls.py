from django.urls import include, path
from django.views.i18n import set_language

from opennrm.core.http import access

urlpatterns = [
    path("", include("opennrm.core.urls")),
    path("", include("opennrm.home.urls")),
    path("", include("opennrm.accounts.urls")),
    # Before cases: "cases/new/" is the intake form, not the case "new".
    path("", include("opennrm.intake.urls")),
    path("", include("opennrm.cases.urls")),
    path("", include("opennrm.audit.urls")),
    path("", include("opennrm.identification.urls")),
    path("", include("opennrm.assistance.urls")),
    path("", include("opennrm.shelters.urls")),
    path("", include("opennrm.residence.urls")),
    path("", include("opennrm.protection.urls")),
    path("", include("opennrm.notifications.urls")),
    path("api/", include("opennrm.api.urls")),
    path("i18n/setlang/", access("public", methods=("POST",))(set_language), name="set_language"),
]

handler404 = "opennrm.core.views.not_found_view"
