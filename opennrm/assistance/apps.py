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
        from opennrm.cases.services import register_closure_check

        register_closure_check(closure.open_services_check)

        from opennrm import policy

        policy.register_case_rule(policy.SERVICE_STEP, services.may_step_services)
        register_case_panel(assistance_panel)
        register_case_panel(closure_panel)
