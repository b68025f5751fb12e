from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "opennrm.api"
    label = "api"

    def ready(self) -> None:
        from opennrm.api import schema  # noqa: F401  (registers the OpenAPI auth extension)
