"""Small helpers shared by the browser tests: the real login path and page checks."""

from __future__ import annotations

import re
from typing import Any

from django_otp.oath import totp
from playwright.sync_api import expect

from opennrm.testing import PASSWORD, current_totp, totp_device


def log_in(page: Any, user: Any, *, next_url: str = "/") -> None:
    """Log in as a person would: password, then the current code from the authenticator app.

    A device accepts each code once, so the same user cannot log in twice within one 30-second step.
    """
    device = totp_device(user)
    page.goto(f"/accounts/login/?next={next_url}")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/"))
    page.get_by_label("Code from your authenticator app").fill(current_totp(device))
    page.get_by_role("button", name="Continue").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/"))


def wrong_totp(device: Any) -> str:
    """A six-digit code that the device refuses: not the code of this, the previous or the next time step."""
    valid = {
        f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"
        for drift in range(device.drift - device.tolerance - 1, device.drift + device.tolerance + 2)
    }
    candidate = 123456
    while f"{candidate:06d}" in valid:
        candidate += 1
    return f"{candidate:06d}"


# Form controls a person can reach, without a label of their own (a <label> or an ARIA name).
UNLABELLED_CONTROLS_JS = """
() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(el => el.type !== 'hidden')
  .filter(el => {
    const fromLabels = Array.from(el.labels || []).map(l => l.textContent.trim()).join('');
    const fromAria = (el.getAttribute('aria-label') || '').trim();
    const fromLabelledBy = (el.getAttribute('aria-labelledby') || '').split(/\\s+/)
      .map(id => document.getElementById(id)).filter(Boolean).map(n => n.textContent.trim()).join('');
    return !(fromLabels || fromAria || fromLabelledBy);
  })
  .map(el => el.outerHTML.slice(0, 160))
"""

# aria-describedby references to ids that are not on the page (a screen reader then reads no hint).
BROKEN_DESCRIBEDBY_JS = """
() => Array.from(document.querySelectorAll('[aria-describedby]'))
  .flatMap(el => el.getAttribute('aria-describedby').split(/\\s+/).filter(Boolean)
    .filter(id => !document.getElementById(id)).map(id => `${el.name || el.id} -> #${id}`))
"""

FIRST_FOCUSABLE_JS = """
() => {
  const el = document.querySelector('a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex="-1"])');
  return el ? el.outerHTML.slice(0, 120) : null;
}
"""

DUPLICATE_IDS_JS = """
() => {
  const seen = new Map();
  document.querySelectorAll('[id]').forEach(el => seen.set(el.id, (seen.get(el.id) || 0) + 1));
  return Array.from(seen).filter(([, n]) => n > 1).map(([id, n]) => `${id} (${n}x)`);
}
"""

# Groups of checkboxes or radio buttons (one name, several inputs) that are not wrapped in their own
# named group (<fieldset> with a <legend>): a screen reader then reads "begging, checkbox" without the question.
UNNAMED_CHOICE_GROUPS_JS = """
() => {
  // A group is the inputs of one name within one form: two forms may each have an "urgent" box.
  const byName = new Map();
  const forms = Array.from(document.forms);
  document.querySelectorAll('input[type=checkbox][name], input[type=radio][name]').forEach(el => {
    const key = forms.indexOf(el.form) + ':' + el.name;
    byName.set(key, [...(byName.get(key) || []), el]);
  });
  return Array.from(byName).filter(([, inputs]) => inputs.length > 1).filter(([key, inputs]) => {
    const name = inputs[0].name;
    const group = inputs[0].closest('fieldset, [role=group], [role=radiogroup]');
    if (!group) return true;
    const others = Array.from(group.querySelectorAll('input, select, textarea'))
      .filter(el => el.type !== 'hidden' && el.name !== name);
    const legend = group.tagName === 'FIELDSET' ? group.querySelector(':scope > legend') : null;
    const named = legend ? legend.textContent.trim() : (group.getAttribute('aria-label') || group.getAttribute('aria-labelledby'));
    return others.length > 0 || !named;
  }).map(([, inputs]) => inputs[0].name);
}
"""

# Words in table cells that the browser split across lines in the middle (a line break inside "reported"
# or "11/25/2026"); a break at a space or hyphen is fine.
WORDS_BROKEN_IN_TABLES_JS = """
() => {
  const broken = new Set();
  for (const cell of document.querySelectorAll('main td, main th')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.parentElement.checkVisibility()) continue;  // e.g. the inside of a closed <details>
      for (const m of node.data.matchAll(/[^\\s\\-\\u2013\\u2014]+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (lines.size > 1) broken.add(m[0]);
      }
    }
  }
  return Array.from(broken);
}
"""
