import pytest


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Tests assert English messages unless a test switches language itself.
    settings.LANGUAGE_CODE = "en"
    # Argon2 is deliberately slow; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    from opennrm.testing import build_world

    return build_world()
