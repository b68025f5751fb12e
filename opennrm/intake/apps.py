from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    """How a person of concern enters the mechanism: the first-line report, a group found together, the
    anonymous report of a member of the public. Sits above cases and below identification, which it
    hands the new cases to (screening and referral of a group: ``intake.group.HANDOVERS``)."""

    name = "opennrm.intake"
    label = "intake"
    verbose_name = _("Intake")

    def ready(self) -> None:
        from opennrm.cases.timeline import register_describer
        from opennrm.core.rotation import EncryptedStore, register_store
        from opennrm.intake import public_reports
        from opennrm.intake.models import public_report_aad

        register_store(EncryptedStore("intake.PublicReport", lambda row: public_report_aad(row.code)))
        for kind in public_reports.TIMELINE_KINDS:
            register_describer(kind, public_reports.describe)
