"""Seed the default roles (a frozen copy of opennrm.accounts.roles.DEFAULT_ROLES at this point)."""

from django.db import migrations

ROLES = {'first_line_reporter': {'permissions': ['case.view', 'case.create', 'person.identity.view', 'note.add'],
                         'sensitivities': ['general']},
 'centre_case_manager': {'permissions': ['case.view',
                                         'case.create',
                                         'person.identity.view',
                                         'note.add',
                                         'case.edit',
                                         'person.identity.edit',
                                         'person.identity.search',
                                         'involvement.manage',
                                         'task.manage'],
                         'sensitivities': ['general', 'medical', 'psychosocial', 'legal', 'security']},
 'centre_head': {'permissions': ['case.view',
                                 'case.create',
                                 'person.identity.view',
                                 'note.add',
                                 'case.edit',
                                 'person.identity.edit',
                                 'person.identity.search',
                                 'involvement.manage',
                                 'task.manage',
                                 'decision.sign'],
                 'sensitivities': ['general', 'medical', 'psychosocial', 'legal', 'security']},
 'social_worker': {'permissions': ['case.view',
                                   'case.create',
                                   'person.identity.view',
                                   'note.add',
                                   'case.edit',
                                   'person.identity.edit',
                                   'task.manage'],
                   'sensitivities': ['general', 'medical', 'psychosocial']},
 'police_investigator': {'permissions': ['case.view',
                                         'case.create',
                                         'person.identity.view',
                                         'note.add',
                                         'person.identity.search'],
                         'sensitivities': ['general', 'legal', 'security']},
 'prosecutor': {'permissions': ['case.view', 'person.identity.view', 'note.add'],
                'sensitivities': ['general', 'legal']},
 'labour_inspector': {'permissions': ['case.view', 'case.create', 'person.identity.view', 'note.add'],
                      'sensitivities': ['general']},
 'ngo_case_worker': {'permissions': ['case.view',
                                     'case.create',
                                     'person.identity.view',
                                     'note.add',
                                     'task.manage'],
                     'sensitivities': ['general', 'medical', 'psychosocial', 'legal']},
 'shelter_staff': {'permissions': ['case.view', 'person.identity.view', 'note.add'],
                   'sensitivities': ['general', 'medical', 'security']},
 'national_coordinator': {'permissions': ['stats.view'], 'sensitivities': []},
 'oversight_inspector': {'permissions': ['audit.view'], 'sensitivities': []},
 'system_admin': {'permissions': ['admin.organisations', 'admin.users'], 'sensitivities': []}}


def seed(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for code, spec in ROLES.items():
        Role.objects.get_or_create(code=code, defaults=spec)


def unseed(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    Role.objects.filter(code__in=ROLES, users__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
