from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    """The home page of every role and the site's navigation: the one app that reads from all the domain
    apps (it sits above them; none of them imports it)."""

    name = "opennrm.home"
    label = "home"
    verbose_name = _("Home")
