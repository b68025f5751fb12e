from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "opennrm.assistance"
    label = "assistance"
    verbose_name = _("Assistance and protection")

    def ready(self) -> None:
        from opennrm.assistance import closure, selectors, services, timeline
        from opennrm.assistance.views import assistance_panel
        from opennrm.cases.timeline import register_describer
        from opennrm.cases.views import register_case_panel

        for kind in (*services.TIMELINE_KINDS, *closure.TIMELINE_KINDS):
            register_describer(kind, timeline.describe)
        from opennrm.assistance.closure_views import closure_panel
        from opennrm.cases.services import register_closure_check

        register_closure_check(closure.open_services_check)

        from opennrm import policy

        policy.register_fact(policy.PROVIDES_SERVICE, selectors.provides_service_in)
        register_case_panel(assistance_panel)

        from opennrm.assistance import models as m
        from opennrm.cases.sheet import Part, register_part

        for part in (
            Part("plans", m.AssistancePlan, names={"organisation": "organisation", "guardian_approved_by": "user"}),
            Part("services", m.AssistanceService, names={"provider": "organisation"}),
            Part("needs_assessments", m.NeedsAssessment, names={"organisation": "organisation"}),
            Part("assessed_needs", m.AssessedNeed, case_path="assessment__case_id"),
            Part("cooperation_records", m.CooperationRecord, names={"organisation": "organisation"}),
            Part("reintegration_plans", m.ReintegrationPlan, order_by=("id",), names={"follow_up_by": "organisation"}),
            Part("follow_ups", m.FollowUp),
            Part("closures", m.CaseClosure, limit=10, names={"reviewed_by": "user", "organisation": "organisation"}),
        ):  # fmt: skip
            register_part(part)
        register_case_panel(closure_panel)
