from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "opennrm.cases"
    label = "cases"

    def ready(self) -> None:
        from opennrm.core.rotation import EncryptedStore, register_store

        register_store(EncryptedStore("cases.CaseNote", lambda row: f"note:{row.case.code}", ("case",)))
        register_store(
            EncryptedStore("cases.CaseDocument", lambda row: f"document:{row.case.code}", ("case",))
        )
