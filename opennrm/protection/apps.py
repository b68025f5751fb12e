from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProtectionConfig(AppConfig):
    name = "opennrm.protection"
    label = "protection"
    verbose_name = _("Security and protection")

    def ready(self) -> None:
        from opennrm import policy
        from opennrm.cases.timeline import register_describer
        from opennrm.cases.views import register_case_panel
        from opennrm.protection import selectors, services, timeline
        from opennrm.protection.views import family_panel, protection_panel

        policy.register_whereabouts_gate(selectors.whereabouts_gate)
        for kind in services.TIMELINE_KINDS:
            register_describer(kind, timeline.describe)
        register_case_panel(protection_panel)
        register_case_panel(family_panel)

        from opennrm.cases.sheet import Part, register_part
        from opennrm.protection import models as m

        for part in (
            Part("risk_assessments", m.RiskAssessment, limit=20, names={"organisation": "organisation"}),
            Part("risk_answers", m.RiskAnswer, case_path="assessment__case_id"),
            Part("protection_measures", m.ProtectionMeasure, names={"responsible": "organisation"}),
            Part("named_staff", m.NamedStaff, where={"ended_at__isnull": True}, names={"user": "user"}),
            Part("family_assessments", m.FamilyAssessment, limit=1, names={"organisation": "organisation"}),
        ):
            register_part(part)
