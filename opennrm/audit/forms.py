from django import forms
from django.utils.translation import gettext_lazy as _

from opennrm.audit.models import AuditAction


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("User"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("any"))] + list(AuditAction.choices)
    )
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=40)
    case_code = forms.CharField(label=_("Case code"), required=False, max_length=32)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
