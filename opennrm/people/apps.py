from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "opennrm.people"
    label = "people"

    def ready(self) -> None:
        from opennrm.core.rotation import EncryptedStore, register_store
        from opennrm.people.models import identity_aad

        register_store(
            EncryptedStore("people.PersonIdentity", lambda row: identity_aad(row.person.code), ("person",))
        )
