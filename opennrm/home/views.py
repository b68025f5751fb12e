"""The home page: what each role has to do now, from every domain app (this app sits above them)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from opennrm.core.http import AuthenticatedHttpRequest, access
from opennrm.home import selectors


@access("authenticated")
def home_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "home/home.html", selectors.home_for(user=request.user))
