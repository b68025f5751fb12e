from django.urls import path

from opennrm.home import views

app_name = "home"

urlpatterns = [path("", views.home_view, name="home")]
