from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "opennrm.cases"
    label = "cases"

    def ready(self) -> None:
        from opennrm.cases import selectors
        from opennrm.core.http import register_scope

        register_scope("case", selectors.resolve_case)
        register_scope("person", selectors.resolve_person)
        register_scope("incident", selectors.resolve_incident)

        from opennrm.cases import models as m
        from opennrm.cases.sheet import Part, register_part

        for part in (
            Part("timeline", m.TimelineEvent, order_by=("-at", "-id"), limit=200,
                 names={"actor": "user", "organisation": "organisation"}),
            Part("tasks", m.CaseTask, order_by=("done_at", "due_at"),
                 names={"organisation": "organisation", "assignee": "user"}),
            Part("notes", m.CaseNote, order_by=("-created_at", "-id"),
                 names={"organisation": "organisation", "created_by": "user"}),
            Part("documents", m.CaseDocument, order_by=("-created_at", "-id"), exclude_fields=("ciphertext",),
                 names={"organisation": "organisation"}),
            Part("involvements", m.Involvement, order_by=("started_at", "id"), names={"organisation": "organisation"}),
            Part("incident_forms", m.IncidentForm, case_path="incident__cases__id", order_by=("id",)),
            Part("incident_suspects", m.IncidentSuspect, case_path="incident__cases__id", order_by=("id",)),
        ):  # fmt: skip
            register_part(part)
        from opennrm.cases.models import document_aad, note_aad
        from opennrm.core.rotation import EncryptedStore, register_store

        register_store(EncryptedStore("cases.CaseNote", lambda row: note_aad(row.case.code), ("case",)))
        register_store(
            EncryptedStore("cases.CaseDocument", lambda row: document_aad(row.case.code), ("case",))
        )
