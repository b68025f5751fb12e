from django.urls import path

from opennrm.cases import views

app_name = "cases"

urlpatterns = [
    path("cases/", views.case_list_view, name="list"),
    path("cases/<str:code>/", views.case_detail_view, name="detail"),
    path("cases/<str:code>/edit/", views.case_edit_view, name="edit"),
    path("cases/<str:code>/status/", views.case_status_view, name="status"),
    path("cases/<str:code>/notes/", views.note_add_view, name="note_add"),
    path("cases/<str:code>/documents/", views.document_add_view, name="document_add"),
    path("cases/<str:code>/documents/<int:pk>/", views.document_download_view, name="document"),
    path("cases/<str:code>/involvements/", views.involvement_add_view, name="involvement_add"),
    path("cases/<str:code>/involvements/<int:pk>/end/", views.involvement_end_view, name="involvement_end"),
    path("cases/<str:code>/tasks/", views.task_add_view, name="task_add"),
    path("cases/<str:code>/tasks/<int:pk>/done/", views.task_done_view, name="task_done"),
    path("persons/<str:code>/", views.person_detail_view, name="person"),
    path("persons/<str:code>/edit/", views.person_edit_view, name="person_edit"),
]
