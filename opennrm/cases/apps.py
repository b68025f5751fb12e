from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "opennrm.cases"
    label = "cases"

    def ready(self) -> None:
        from opennrm.cases.models import document_aad, note_aad
        from opennrm.core.rotation import EncryptedStore, register_store

        register_store(EncryptedStore("cases.CaseNote", lambda row: note_aad(row.case.code), ("case",)))
        register_store(
            EncryptedStore("cases.CaseDocument", lambda row: document_aad(row.case.code), ("case",))
        )
