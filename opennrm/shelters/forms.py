"""Forms of the facility pages and of the accommodation section of the case page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from opennrm.cases.models import ExploitationForm
from opennrm.shelters.models import AcceptsSex, ExitDestination, Facility, FacilityKind

if TYPE_CHECKING:
    from opennrm.shelters.selectors import FacilityWithOccupancy

DATE = forms.DateInput(attrs={"type": "date"})


class FacilityChoice(forms.ModelChoiceField):
    """A facility by code, labelled with its free beds when the queryset carries the occupancy."""

    def label_from_instance(self, obj: Facility) -> str:
        if not hasattr(obj, "free_adults"):
            return f"{obj.name} ({obj.municipality})"
        # The queryset came from ``selectors.with_occupancy``.
        occupied = cast("FacilityWithOccupancy", obj)
        return str(
            _("%(name)s (%(place)s) — free: %(adults)d for adults, %(children)d for children")
            % {
                "name": obj.name,
                "place": obj.municipality,
                "adults": max(occupied.free_adults, 0),
                "children": max(occupied.free_children, 0),
            }
        )


class FacilityForm(forms.Form):
    code = forms.SlugField(
        label=_("Code"), max_length=60, help_text=_("Short, lowercase, for example sigurna-kuca-ns.")
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=FacilityKind.choices)
    municipality = forms.CharField(
        label=_("Municipality"), max_length=120, help_text=_("Never a street address.")
    )
    beds_adults = forms.IntegerField(label=_("Beds for adults"), min_value=0, max_value=500, initial=0)
    beds_children = forms.IntegerField(
        label=_("Beds for children"),
        min_value=0,
        max_value=500,
        initial=0,
        help_text=_("For unaccompanied children and for children accompanying a parent."),
    )
    accepts_sex = forms.ChoiceField(label=_("Takes"), choices=AcceptsSex.choices, initial=AcceptsSex.ANY)
    takes_adults = forms.BooleanField(label=_("Takes adults"), required=False, initial=True)
    takes_children = forms.BooleanField(label=_("Takes unaccompanied children"), required=False)
    min_age = forms.IntegerField(label=_("Minimum age"), min_value=0, max_value=120, required=False)
    max_age = forms.IntegerField(label=_("Maximum age"), min_value=0, max_value=120, required=False)
    specialisations = forms.MultipleChoiceField(
        label=_("Specialised in"),
        choices=[c for c in ExploitationForm.choices if c[0] != ExploitationForm.UNKNOWN],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    licence_number = forms.CharField(label=_("Licence number"), max_length=60, required=False)
    licence_valid_from = forms.DateField(label=_("Licence valid from"), required=False, widget=DATE)
    licence_valid_until = forms.DateField(label=_("Licence valid until"), required=False, widget=DATE)
    is_open = forms.BooleanField(label=_("Open"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["code"]
            self.fields["version"].required = True
        else:
            del self.fields["version"]


class FreeBedSearchForm(forms.Form):
    sex = forms.ChoiceField(
        label=_("Sex"),
        required=False,
        choices=[("", _("any")), ("female", _("female")), ("male", _("male")), ("other", _("other"))],
    )
    child = forms.BooleanField(label=_("Unaccompanied child"), required=False)
    children = forms.IntegerField(label=_("Accompanying children"), min_value=0, max_value=10, required=False)
    specialisation = forms.ChoiceField(
        label=_("Specialised in"), required=False, choices=[("", _("any")), *ExploitationForm.choices]
    )


class PlaceForm(forms.Form):
    facility = FacilityChoice(label=_("Facility"), queryset=Facility.objects.none(), to_field_name="code")
    placed_on = forms.DateField(label=_("Placed on"), widget=DATE)
    accompanying_children = forms.IntegerField(
        label=_("Accompanying children"), min_value=0, max_value=10, initial=0, required=False
    )
    override_reason = forms.CharField(
        label=_("Override with written reasons"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Only if the facility refuses (full, does not fit the person, licence lapsed) and you "
            "decide to place the person anyway. The reasons are kept and the override is counted."
        ),
    )

    def __init__(self, *args: Any, facilities: Any = None, may_override: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if facilities is not None:
            field = self.fields["facility"]
            assert isinstance(field, FacilityChoice)
            field.queryset = facilities
        if not may_override:
            del self.fields["override_reason"]


class WaitForm(forms.Form):
    facility = FacilityChoice(label=_("Facility"), queryset=Facility.objects.none(), to_field_name="code")
    requested_on = forms.DateField(label=_("Asked on"), widget=DATE)
    accompanying_children = forms.IntegerField(
        label=_("Accompanying children"), min_value=0, max_value=10, initial=0, required=False
    )

    def __init__(self, *args: Any, facilities: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if facilities is not None:
            field = self.fields["facility"]
            assert isinstance(field, FacilityChoice)
            field.queryset = facilities


class MoveForm(PlaceForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["placed_on"].label = _("Moved on")
        self.fields["facility"].label = _("To facility")


class ExitForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    ended_on = forms.DateField(label=_("Left on"), widget=DATE)
    destination = forms.ChoiceField(label=_("Destination"), choices=ExitDestination.choices)
    note = forms.CharField(
        label=_("Note"), max_length=300, required=False, help_text=_("No names or addresses.")
    )


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class OccupancyForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE)
