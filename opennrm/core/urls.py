from django.conf import settings
from django.urls import path

from opennrm.core import views

app_name = "core"

urlpatterns = [
    path("healthz", views.healthz_view, name="healthz"),
]
if settings.BENCH_BARE_VIEW:
    urlpatterns.append(path("bench/bare", views.bench_bare_view, name="bench_bare"))
