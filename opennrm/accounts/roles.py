"""The default roles: what each may do, and which sensitivity classes of case content it may read.

Roles are data (the ``Role`` table, seeded from this list by a migration); this module is the
reference list and the vocabulary of permissions. The involvement model decides *which* cases a
user sees; the role decides what the user may do and read inside them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Perm:
    CASE_VIEW = "case.view"
    CASE_CREATE = "case.create"
    CASE_EDIT = "case.edit"
    IDENTITY_VIEW = "person.identity.view"
    IDENTITY_EDIT = "person.identity.edit"
    IDENTITY_SEARCH = "person.identity.search"
    NOTE_ADD = "note.add"
    INVOLVEMENT_MANAGE = "involvement.manage"
    TASK_MANAGE = "task.manage"
    DECISION_SIGN = "decision.sign"
    # Read and triage the anonymous reports of the public (the Centre's queue).
    REPORT_TRIAGE = "report.triage"
    # Keep the register of a facility (capacity, licence) of one's own organisation.
    FACILITY_MANAGE = "facility.manage"
    STATS_VIEW = "stats.view"
    AUDIT_VIEW = "audit.view"
    ADMIN_ORGANISATIONS = "admin.organisations"
    ADMIN_USERS = "admin.users"

    ALL = (
        CASE_VIEW,
        CASE_CREATE,
        CASE_EDIT,
        IDENTITY_VIEW,
        IDENTITY_EDIT,
        IDENTITY_SEARCH,
        NOTE_ADD,
        INVOLVEMENT_MANAGE,
        TASK_MANAGE,
        DECISION_SIGN,
        REPORT_TRIAGE,
        FACILITY_MANAGE,
        STATS_VIEW,
        AUDIT_VIEW,
        ADMIN_ORGANISATIONS,
        ADMIN_USERS,
    )


class Sensitivity(models.TextChoices):
    GENERAL = "general", _("general")
    MEDICAL = "medical", _("medical")
    PSYCHOSOCIAL = "psychosocial", _("psychosocial")
    LEGAL = "legal", _("legal")
    SECURITY = "security", _("security")


class RoleCode(models.TextChoices):
    FIRST_LINE_REPORTER = "first_line_reporter", _("First-line reporter")
    CENTRE_CASE_MANAGER = "centre_case_manager", _("Centre case manager")
    CENTRE_HEAD = "centre_head", _("Centre head")
    SOCIAL_WORKER = "social_worker", _("Social worker / guardian")
    POLICE_INVESTIGATOR = "police_investigator", _("Police investigator")
    PROSECUTOR = "prosecutor", _("Prosecutor")
    LABOUR_INSPECTOR = "labour_inspector", _("Labour inspector")
    NGO_CASE_WORKER = "ngo_case_worker", _("NGO case worker")
    SHELTER_STAFF = "shelter_staff", _("Shelter staff")
    NATIONAL_COORDINATOR = "national_coordinator", _("National coordinator / analyst")
    OVERSIGHT_INSPECTOR = "oversight_inspector", _("Oversight inspector")
    SYSTEM_ADMIN = "system_admin", _("System administrator")


P = Perm
S = Sensitivity
_CASEWORK = [P.CASE_VIEW, P.CASE_CREATE, P.IDENTITY_VIEW, P.NOTE_ADD]

DEFAULT_ROLES: dict[str, dict] = {
    RoleCode.FIRST_LINE_REPORTER: {
        "permissions": [P.CASE_VIEW, P.CASE_CREATE, P.IDENTITY_VIEW, P.NOTE_ADD],
        "sensitivities": [S.GENERAL],
    },
    RoleCode.CENTRE_CASE_MANAGER: {
        "permissions": [
            *_CASEWORK,
            P.CASE_EDIT,
            P.IDENTITY_EDIT,
            P.IDENTITY_SEARCH,
            P.INVOLVEMENT_MANAGE,
            P.TASK_MANAGE,
            P.REPORT_TRIAGE,
            P.FACILITY_MANAGE,
        ],
        "sensitivities": [S.GENERAL, S.MEDICAL, S.PSYCHOSOCIAL, S.LEGAL, S.SECURITY],
    },
    RoleCode.CENTRE_HEAD: {
        "permissions": [
            *_CASEWORK,
            P.CASE_EDIT,
            P.IDENTITY_EDIT,
            P.IDENTITY_SEARCH,
            P.INVOLVEMENT_MANAGE,
            P.TASK_MANAGE,
            P.DECISION_SIGN,
            P.REPORT_TRIAGE,
            P.FACILITY_MANAGE,
        ],
        "sensitivities": [S.GENERAL, S.MEDICAL, S.PSYCHOSOCIAL, S.LEGAL, S.SECURITY],
    },
    RoleCode.SOCIAL_WORKER: {
        "permissions": [*_CASEWORK, P.CASE_EDIT, P.IDENTITY_EDIT, P.TASK_MANAGE],
        "sensitivities": [S.GENERAL, S.MEDICAL, S.PSYCHOSOCIAL],
    },
    RoleCode.POLICE_INVESTIGATOR: {
        "permissions": [*_CASEWORK, P.IDENTITY_SEARCH],
        "sensitivities": [S.GENERAL, S.LEGAL, S.SECURITY],
    },
    # A prosecutor does not read therapy (psychosocial) or medical notes.
    RoleCode.PROSECUTOR: {
        "permissions": [P.CASE_VIEW, P.IDENTITY_VIEW, P.NOTE_ADD],
        "sensitivities": [S.GENERAL, S.LEGAL],
    },
    RoleCode.LABOUR_INSPECTOR: {
        "permissions": [P.CASE_VIEW, P.CASE_CREATE, P.IDENTITY_VIEW, P.NOTE_ADD],
        "sensitivities": [S.GENERAL],
    },
    RoleCode.NGO_CASE_WORKER: {
        "permissions": [*_CASEWORK, P.TASK_MANAGE],
        "sensitivities": [S.GENERAL, S.MEDICAL, S.PSYCHOSOCIAL, S.LEGAL],
    },
    # Shelter staff need health and safety information, not the legal file.
    RoleCode.SHELTER_STAFF: {
        "permissions": [P.CASE_VIEW, P.IDENTITY_VIEW, P.NOTE_ADD, P.FACILITY_MANAGE],
        "sensitivities": [S.GENERAL, S.MEDICAL, S.SECURITY],
    },
    # Aggregates only: never a name, never a case.
    RoleCode.NATIONAL_COORDINATOR: {"permissions": [P.STATS_VIEW], "sensitivities": []},
    # The audit trail, no case content unless granted through an involvement and a role change.
    RoleCode.OVERSIGHT_INSPECTOR: {"permissions": [P.AUDIT_VIEW], "sensitivities": []},
    # Users and organisations, no case content.
    RoleCode.SYSTEM_ADMIN: {"permissions": [P.ADMIN_ORGANISATIONS, P.ADMIN_USERS], "sensitivities": []},
}
