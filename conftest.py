import pytest


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Tests assert English messages unless a test switches language itself.
    settings.LANGUAGE_CODE = "en"
    # Argon2 is deliberately slow; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Each test's rows are rolled back and their ids may come again: the per-process directory of
    # names must not outlive a test.
    from opennrm.accounts import directory

    directory.forget()
    yield
    directory.forget()


@pytest.fixture
def world(db):
    from opennrm.testing import build_world

    return build_world()
