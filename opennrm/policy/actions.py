"""The vocabulary of the policy: every action a user may or may not take.

An action is a string. Those that a role's permission alone decides have the permission's own name
(``accounts.roles.Perm``: "case.view", "note.add" …); the rest add a rule about the user's part in the
case, or about the user alone, in ``opennrm.policy.rules``. Pages, API, services and selectors all ask
``policy.can(user, action, obj)`` with these names, and the access declarations of views use them too.
"""

from __future__ import annotations

from opennrm.accounts.roles import Perm

# --- Decided by the role's permission (and, on a case, by the organisation's involvement) ------------
CASE_VIEW = Perm.CASE_VIEW
CASE_CREATE = Perm.CASE_CREATE
CASE_EDIT = Perm.CASE_EDIT
IDENTITY_VIEW = Perm.IDENTITY_VIEW
IDENTITY_EDIT = Perm.IDENTITY_EDIT
IDENTITY_SEARCH = Perm.IDENTITY_SEARCH
NOTE_ADD = Perm.NOTE_ADD
NOTE_VIEW = "note.view"
DOCUMENT_VIEW = "document.view"
TASK_MANAGE = Perm.TASK_MANAGE
DECISION_SIGN = Perm.DECISION_SIGN
STATS_VIEW = Perm.STATS_VIEW
AUDIT_VIEW = Perm.AUDIT_VIEW
ADMIN_ORGANISATIONS = Perm.ADMIN_ORGANISATIONS
ADMIN_USERS = Perm.ADMIN_USERS
# The anonymous reports of the public: read and triaged by the Centre's roles.
TRIAGE = Perm.REPORT_TRIAGE

# --- On a case: the permission plus the organisation's part in it -------------------------------------
# Adding or ending involvements is the coordinating organisation's (the identifying body).
INVOLVEMENT_MANAGE = Perm.INVOLVEMENT_MANAGE
# Identification.
SCREENING_RECORD = "screening.record"
REFERRAL_MAKE = "referral.make"
REFERRAL_SERVICES = "referral.services"
PROCEDURE_RUN = "procedure.run"
PROCEDURE_CONTRIBUTE = "procedure.contribute"
DECISION_ISSUE = "decision.issue"
DECISION_REASONS = "decision.reasons"
AGE_ASSESS = "age.assess"
GUARDIAN_APPOINT = "guardian.appoint"
# Assistance and protection.
PLAN_MANAGE = "plan.manage"
PLAN_APPROVE = "plan.approve"
SERVICE_STEP = "service.step"
PLACEMENT_MANAGE = "placement.manage"
PLACEMENT_OVERRIDE = "placement.override"
PLACEMENT_EXIT = "placement.exit"
RISK_MANAGE = "risk.manage"
CLOSURE_REQUEST = "closure.request"
CLOSURE_REVIEW = "closure.review"
FOLLOW_UP_RECORD = "follow_up.record"
STAFF_NAME = "staff.name"
FAMILY_ASSESS = "family.assess"
COOPERATION_RECORD = "cooperation.record"
# Where the person is: named staff only at high risk (the third gate).
WHEREABOUTS_VIEW = "whereabouts.view"

# --- About the user alone: what their role lets them read ---------------------------------------------
# A child's family assessment: for those who work with the child's care and safety.
FAMILY_READ = "family.read"
# The residence ground and the permit history are legal content; health coverage is medical.
RESIDENCE_GROUND_READ = "residence.ground.read"
HEALTH_COVERAGE_READ = "health_coverage.read"
# The register of facilities: all of it for those who place people or oversee, their own for shelters.
FACILITY_REGISTER = "facility.register"
FACILITY_VIEW = "facility.view"
# Keeping one facility's entry in the register (capacity, licence): its operator's staff or an admin.
FACILITY_KEEP = "facility.keep"
