"""The one place that answers "may this user do this".

Pages, API, search, exports and background jobs all ask ``can``/``visible_cases``; a view states the
action it needs once, in its access declaration (``opennrm.core.http.access``), and receives the case
already checked. The involvement of the user's organisation decides *which* cases; the user's role
decides *what* they may do and which sensitivity classes they may read inside them. Objects out of
scope are reported as not found (404) by callers, so existence is never confirmed.

- ``actions``: the vocabulary (one name per action);
- ``access``: which cases, and ``CaseAccess``, one user's access to one case, once per request;
- ``rules``: the rule of every action.
"""

from opennrm.policy.access import (
    COORDINATING_ROLES,
    IDENTITY_FIELDS,
    ROLES_ANNOTATION,
    WHEREABOUTS_FIELDS,
    CaseAccess,
    case_access,
    first_visible,
    forget,
    has_perm,
    involvement_roles,
    iter_visible,
    may_see_whereabouts,
    memoised,
    readable_sensitivities,
    reads,
    register_fact,
    register_whereabouts_gate,
    visible_cases,
    visible_persons,
    with_access,
    within_visible_cases,
)
from opennrm.policy.actions import *  # noqa: F403 - the vocabulary is the policy's public face
from opennrm.policy.rules import PROVIDES_SERVICE, RULES, Rule, can, require, writes_cases

__all__ = [  # noqa: F405
    "COORDINATING_ROLES",
    "IDENTITY_FIELDS",
    "PROVIDES_SERVICE",
    "ROLES_ANNOTATION",
    "RULES",
    "WHEREABOUTS_FIELDS",
    "CaseAccess",
    "Rule",
    "can",
    "case_access",
    "first_visible",
    "iter_visible",
    "forget",
    "has_perm",
    "involvement_roles",
    "may_see_whereabouts",
    "memoised",
    "readable_sensitivities",
    "reads",
    "register_fact",
    "register_whereabouts_gate",
    "require",
    "visible_cases",
    "visible_persons",
    "with_access",
    "within_visible_cases",
    "writes_cases",
]
