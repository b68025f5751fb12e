import pytest
from opennrm.accounts.roles import RoleCode
from opennrm.core.tests.pages import log_in

@pytest.mark.browser
def test_debug(new_page, browser_world):
    for mobile in (True, False):
        page = new_page(viewport={"width": 390, "height": 844}, is_mobile=mobile, has_touch=mobile)
        log_in(page, browser_world.users[RoleCode.CENTRE_CASE_MANAGER])
        page.goto(f"/cases/{browser_world.own_case.code}/")
        with page.expect_navigation():
            page.locator("#lang-select").select_option("sr")
        print(mobile, page.evaluate("""() => ({iw: innerWidth, cw: document.documentElement.clientWidth, sw: document.documentElement.scrollWidth,
          vv: visualViewport.width, scale: visualViewport.scale,
          table: Array.from(document.querySelectorAll('main table')).map(t => [t.getBoundingClientRect().right, t.parentElement.getBoundingClientRect().right]),
          wide: Array.from(document.querySelectorAll('main *')).filter(e => e.getBoundingClientRect().right > document.querySelector('main').getBoundingClientRect().right + 0.5).slice(0,8).map(e => e.tagName + ':' + e.textContent.slice(0,30) + ':' + e.getBoundingClientRect().right)})"""))
