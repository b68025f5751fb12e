"""/api/v1/ routes of shelters, included by opennrm.api.urls."""

from django.urls import path

from opennrm.shelters import apis

urlpatterns = [
    path("facilities/", apis.FacilitiesApi.as_view(), name="facilities"),
    # Before the detail route: "occupancy" is a reserved facility code.
    path("facilities/occupancy/", apis.OccupancyApi.as_view(), name="facility_occupancy"),
    path("facilities/<str:facility_code>/", apis.FacilityDetailApi.as_view(), name="facility"),
    path("cases/<str:code>/placements/", apis.CasePlacementsApi.as_view(), name="case_placements"),
    path(
        "cases/<str:code>/placements/<int:pk>/move/", apis.PlacementMoveApi.as_view(), name="placement_move"
    ),
    path(
        "cases/<str:code>/placements/<int:pk>/exit/", apis.PlacementExitApi.as_view(), name="placement_exit"
    ),
    path(
        "cases/<str:code>/placements/<int:pk>/withdraw/",
        apis.PlacementWithdrawApi.as_view(),
        name="placement_withdraw",
    ),
]
