from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SheltersConfig(AppConfig):
    name = "opennrm.shelters"
    label = "shelters"
    verbose_name = _("Shelters and accommodation")

    def ready(self) -> None:
        from opennrm.cases.timeline import register_describer
        from opennrm.cases.views import register_case_panel
        from opennrm.shelters import timeline
        from opennrm.shelters.services import TIMELINE_KINDS
        from opennrm.shelters.views import placements_panel

        for kind in TIMELINE_KINDS:
            register_describer(kind, timeline.describe)
        register_case_panel(placements_panel)

        from opennrm.cases.sheet import Part, register_part
        from opennrm.shelters import models as m

        register_part(Part("placements", m.Placement))
        register_part(
            Part(
                "placement_facilities",
                m.Facility,
                case_path="placements__case_id",
                distinct=True,
                names={"operator": "organisation"},
            )
        )

        from opennrm.cases.services import register_closure_check
        from opennrm.shelters.selectors import current_placement_check

        register_closure_check(current_placement_check)
