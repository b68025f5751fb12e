"""Serbian Cyrillic (default), Serbian Latin and English; the Latin catalogue is the Cyrillic one transliterated."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

from opennrm.accounts.roles import RoleCode
from opennrm.testing import login_verified

LOCALE = Path(settings.BASE_DIR) / "locale"
CYRILLIC = re.compile(r"[\u0400-\u04FF]")


def test_every_serbian_message_is_translated():
    po = polib.pofile(str(LOCALE / "sr" / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in po if not e.obsolete and not e.translated()]
    assert missing == []


def test_the_latin_catalogue_has_no_cyrillic_left():
    po = polib.pofile(str(LOCALE / "sr_Latn" / "LC_MESSAGES" / "django.po"))
    leftovers = [e.msgstr for e in po if CYRILLIC.search(e.msgstr or "")]
    leftovers += [v for e in po for v in e.msgstr_plural.values() if CYRILLIC.search(v)]
    assert leftovers == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language, heading",
    [("sr", "Предмети"), ("sr-latn", "Predmeti"), ("en", "Cases")],
)
def test_the_case_list_speaks_the_chosen_language(client, world, language, heading):
    login_verified(client, world.users[RoleCode.CENTRE_CASE_MANAGER])
    response = client.post("/i18n/setlang/", {"language": language, "next": "/cases/"})
    assert response.status_code == 302
    page = client.get("/cases/").content.decode()
    assert f"<h1>{heading}</h1>" in page
