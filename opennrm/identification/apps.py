from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentificationConfig(AppConfig):
    name = "opennrm.identification"
    label = "identification"
    verbose_name = _("Identification and referral")

    def ready(self) -> None:
        from opennrm.cases.timeline import register_describer
        from opennrm.core.rotation import EncryptedStore, register_store
        from opennrm.identification import timeline
        from opennrm.identification.models import decision_aad, procedure_record_aad

        register_store(
            EncryptedStore(
                "identification.ProcedureRecord",
                lambda row: procedure_record_aad(row.procedure.case.code),
                ("procedure__case",),
            )
        )
        register_store(
            EncryptedStore(
                "identification.IdentificationDecision", lambda row: decision_aad(row.case.code), ("case",)
            )
        )
        for kind in timeline.KINDS:
            register_describer(kind, timeline.describe)

        from opennrm.cases.views import register_case_panel
        from opennrm.identification.views import identification_panel

        register_case_panel(identification_panel)

        from opennrm.identification import public_reports, transnational
        from opennrm.identification.models import public_report_aad
        from opennrm.identification.transnational_views import transnational_panel

        register_store(EncryptedStore("identification.PublicReport", lambda row: public_report_aad(row.code)))
        for kind in transnational.TIMELINE_KINDS:
            register_describer(kind, transnational.describe)
        for kind in public_reports.TIMELINE_KINDS:
            register_describer(kind, public_reports.describe)
        register_case_panel(transnational_panel)
