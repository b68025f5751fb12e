from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "opennrm.people"
    label = "people"

    def ready(self) -> None:
        from opennrm.core.rotation import EncryptedStore, register_store

        register_store(EncryptedStore("people.PersonIdentity", lambda row: row.person.code, ("person",)))
