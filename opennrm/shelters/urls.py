"""Pages of shelters."""

from django.urls import path

from opennrm.shelters import views

app_name = "shelters"

urlpatterns = [
    path("facilities/", views.facility_list_view, name="facilities"),
    path("facilities/new/", views.facility_new_view, name="facility_new"),
    path("facilities/occupancy/", views.occupancy_view, name="occupancy"),
    path("facilities/<str:facility_code>/", views.facility_detail_view, name="facility"),
    path("facilities/<str:facility_code>/edit/", views.facility_edit_view, name="facility_edit"),
    path("cases/<str:code>/placements/", views.place_view, name="place"),
    path("cases/<str:code>/placements/wait/", views.wait_view, name="wait"),
    path("cases/<str:code>/placements/<int:pk>/move/", views.move_view, name="move"),
    path("cases/<str:code>/placements/<int:pk>/exit/", views.exit_view, name="exit"),
    path("cases/<str:code>/placements/<int:pk>/withdraw/", views.withdraw_view, name="withdraw"),
]
