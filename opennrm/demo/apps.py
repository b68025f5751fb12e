from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Synthetic demo data and the benchmark data generator (the top layer: it uses every service)."""

    name = "opennrm.demo"
    label = "demo"
