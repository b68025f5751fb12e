import pytest

from opennrm.accounts.roles import RoleCode
from opennrm.testing import login_verified


@pytest.mark.django_db
def test_case_manager_sees_the_case_page_with_timeline_and_identity(client, world):
    login_verified(client, world.users[RoleCode.CENTRE_CASE_MANAGER])
    response = client.get(f"/cases/{world.own_case.code}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Jelena" in body
    assert "Case opened after a report by" in body


@pytest.mark.django_db
def test_outsider_gets_not_found_for_the_same_case(client, world):
    login_verified(client, world.outsider)
    assert client.get(f"/cases/{world.own_case.code}/").status_code == 404
