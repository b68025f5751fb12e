"""Timeline kinds and their sentences (translated at display time, parameters without personal data)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from opennrm.accounts.roles import Sensitivity
from opennrm.cases.models import CaseStatus, InvolvementRole, TimelineEvent
from opennrm.lib.scripts import in_active_script as script


def choice_label(choices: Any, value: str) -> str:
    """The translated label of a stored choice; an unknown value (an old code) shows as it is."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


_label = choice_label


def short_date(value: Any) -> str:
    """An ISO date from timeline parameters in the reader's short date format."""
    try:
        return formats.date_format(dt.date.fromisoformat(str(value)[:10]), "SHORT_DATE_FORMAT")
    except (TypeError, ValueError):
        return str(value or "")


# Apps above cases (identification, assistance…) register the sentences of their own kinds here, in
# AppConfig.ready(), so this lower layer describes them without importing those apps.
DESCRIBERS: dict[str, Callable[[TimelineEvent], str]] = {}


def register_describer(kind: str, describer: Callable[[TimelineEvent], str]) -> None:
    DESCRIBERS[kind] = describer


def describe(event: TimelineEvent) -> str:
    if event.kind in DESCRIBERS:
        return DESCRIBERS[event.kind](event)
    p = dict(event.params or {})
    if p.get("org"):
        # Organisation names are stored in Serbian Latin; show them in the reader's script.
        p["org"] = script(p["org"])
    kind = event.kind
    if kind == "case_opened":
        return _("Case opened after a report by %(org)s.") % {"org": p.get("org", "")}
    if kind == "person_registered":
        return _("Person %(code)s registered.") % {"code": p.get("code", "")}
    if kind == "status_changed":
        return _("Status changed from %(old)s to %(new)s.") % {
            "old": _label(CaseStatus, p.get("old", "")),
            "new": _label(CaseStatus, p.get("new", "")),
        }
    if kind == "case_updated":
        return _("Case details updated.")
    if kind == "identity_updated":
        return _("Identity details updated.")
    if kind == "involvement_added":
        return _("%(org)s involved as %(role)s.") % {
            "org": p.get("org", ""),
            "role": _label(InvolvementRole, p.get("role", "")),
        }
    if kind == "involvement_ended":
        return _("Involvement of %(org)s as %(role)s ended.") % {
            "org": p.get("org", ""),
            "role": _label(InvolvementRole, p.get("role", "")),
        }
    if kind == "note_added":
        return _("A %(sensitivity)s note was added.") % {
            "sensitivity": _label(Sensitivity, p.get("sensitivity", ""))
        }
    if kind == "document_added":
        return _("A %(sensitivity)s document was added.") % {
            "sensitivity": _label(Sensitivity, p.get("sensitivity", ""))
        }
    if kind == "task_added":
        return _("Task added: %(title)s.") % {"title": _(p["title"]) if p.get("title") else ""}
    if kind == "task_done":
        return _("Task done: %(title)s.") % {"title": _(p["title"]) if p.get("title") else ""}
    return kind
