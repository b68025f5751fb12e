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

        # A group registered at intake can be screened and referred in the same step.
        from opennrm.identification import group
        from opennrm.intake.group import Handover, register_handover

        register_handover(Handover(prepare=group.handover_prepare, apply=group.handover_apply))

        from opennrm.cases.sheet import Part, register_part
        from opennrm.identification import models as m

        for part in (
            Part("referrals", m.Referral, names={"from_organisation": "organisation",
                 "to_organisation": "organisation", "responded_by": "user"}),
            Part("procedures", m.IdentificationProcedure, names={"organisation": "organisation"}),
            Part("procedure_records", m.ProcedureRecord, case_path="procedure__case_id",
                 names={"organisation": "organisation", "created_by": "user"}),
            Part("decisions", m.IdentificationDecision, names={"organisation": "organisation", "decided_by": "user"}),
            Part("decision_forms", m.DecisionForm, case_path="decision__case_id", order_by=("id",)),
            Part("reflection_periods", m.ReflectionPeriod, order_by=("id",)),
            Part("guardian_appointments", m.GuardianAppointment, names={"organisation": "organisation"}),
            Part("age_assessments", m.AgeAssessment, names={"organisation": "organisation"}),
            Part("screenings", m.Screening, limit=10, exclude_fields=("result",),
                 names={"organisation": "organisation"}),
            Part("transnational_referrals", m.TransnationalReferral, order_by=("id",),
                 names={"foreign_authority": "organisation"}),
            Part("consents", m.Consent, names={"organisation": "organisation"}),
            Part("embassy_contacts", m.EmbassyContact, names={"embassy": "organisation", "organisation": "organisation"}),
        ):  # fmt: skip
            register_part(part)

        from opennrm.identification import transnational
        from opennrm.identification.transnational.views import transnational_panel

        for kind in transnational.TIMELINE_KINDS:
            register_describer(kind, transnational.describe)
        register_case_panel(transnational_panel)
