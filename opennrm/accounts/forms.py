from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from opennrm.accounts.models import Organisation, OrganisationType, Role
from opennrm.lib.country import home_country
from opennrm.lib.scripts import in_active_script


class OrganisationChoice(forms.ModelChoiceField):
    """An organisation to pick (refer to, involve): its name in the reader's script, and its type."""

    def label_from_instance(self, obj: Organisation) -> str:
        return f"{in_active_script(obj.name)} ({obj.get_type_display()})"


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class OtpForm(forms.Form):
    token = forms.RegexField(
        label=_("Code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Enter the 6-digit code.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class OrganisationForm(forms.Form):
    code = forms.SlugField(
        label=_("Code"), max_length=60, help_text=_("Short identifier, letters, digits and hyphens.")
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    type = forms.ChoiceField(label=_("Type"), choices=OrganisationType.choices)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    country = forms.RegexField(
        label=_("Country"),
        regex=r"^[A-Za-z]{2}$",
        initial=home_country,
        max_length=2,
        error_messages={"invalid": _("Enter a two-letter ISO country code.")},
    )


class OrganisationEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class UserCreateForm(forms.Form):
    username = forms.RegexField(label=_("Username"), regex=r"^[\w.@+-]{3,150}$", max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.filter(is_active=True)
    )
    role = forms.ModelChoiceField(label=_("Role"), queryset=Role.objects.all(), to_field_name="code")
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput,
        min_length=12,
        max_length=200,
        help_text=_("At least 12 characters. The user sets up two-factor authentication at first login."),
    )


class UserEditForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.all())
    role = forms.ModelChoiceField(label=_("Role"), queryset=Role.objects.all(), to_field_name="code")
    is_active = forms.BooleanField(label=_("Active"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name of the token"), max_length=100)
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=366, initial=90)
