"""get_FOO_display() of every model gives what Django's own gives, in every language, while
translating only the label shown (core.models.ChoiceLabels)."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

from opennrm.core.models import ChoiceLabels


def _django_display(obj: models.Model, field: models.Field) -> object:
    # Django 5.2's Model._get_FIELD_display.
    value = getattr(obj, field.attname)
    return force_str(
        dict(make_hashable(field.flatchoices)).get(make_hashable(value), value), strings_only=True
    )


def test_every_choice_of_every_model_shows_the_label_django_would_show():
    checked = 0
    for model in apps.get_models():
        if not model.__module__.startswith("opennrm."):
            continue
        for field in model._meta.concrete_fields:
            if not field.choices:
                continue
            assert issubclass(model, ChoiceLabels), f"{model.__name__}.{field.name}: derive from ChoiceLabels"
            for language, _name in settings.LANGUAGES:
                with translation.override(language):
                    for value in [v for v, _label in field.flatchoices] + ["not-a-choice"]:
                        obj = model()
                        setattr(obj, field.attname, value)
                        shown = getattr(obj, f"get_{field.name}_display")()
                        assert shown == _django_display(obj, field), (model.__name__, field.name, value)
                        checked += 1
    assert checked > 500


def test_the_label_follows_the_active_language():
    from opennrm.assistance.models import AssistanceService

    s = AssistanceService(status="requested")
    with translation.override("en"):
        english = s.get_status_display()
    with translation.override("sr"):
        cyrillic = s.get_status_display()
    assert english == "requested" and cyrillic != english
