from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "opennrm.assistance"
    label = "assistance"
    verbose_name = _("Assistance and protection")

    def ready(self) -> None:
        from opennrm.assistance import closure, services, timeline
        from opennrm.assistance.views import assistance_panel
        from opennrm.cases.timeline import register_describer
        from opennrm.cases.views import register_case_panel

        for kind in (*services.TIMELINE_KINDS, *closure.TIMELINE_KINDS):
            register_describer(kind, timeline.describe)
        from opennrm.assistance.closure_views import closure_panel

        register_case_panel(assistance_panel)
        register_case_panel(closure_panel)
