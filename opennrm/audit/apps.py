from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "opennrm.audit"
    label = "audit"
