from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidenceConfig(AppConfig):
    name = "opennrm.residence"
    label = "residence"
    verbose_name = _("Foreign victims: residence and health care")

    def ready(self) -> None:
        from opennrm.cases.timeline import register_describer
        from opennrm.cases.views import register_case_panel
        from opennrm.residence import services, timeline
        from opennrm.residence.views import residence_panel

        for kind in services.TIMELINE_KINDS:
            register_describer(kind, timeline.describe)
        register_case_panel(residence_panel)

        from opennrm.cases.sheet import Part, register_part
        from opennrm.residence import models as m

        register_part(Part("permits", m.ResidencePermit))
        register_part(Part("health_coverages", m.HealthCoverage, names={"organisation": "organisation"}))

        from opennrm.core.deadlines import register_notice_job

        register_notice_job("residence renewal reminders", lambda: services.renewal_reminders_run())
