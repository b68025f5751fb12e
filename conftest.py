import pytest


@pytest.fixture
def world(db):
    from opennrm.testing import build_world

    return build_world()


@pytest.fixture(autouse=True)
def _english(settings):
    # Tests assert English messages unless a test switches language itself.
    settings.LANGUAGE_CODE = "en"
