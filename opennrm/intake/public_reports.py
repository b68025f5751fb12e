"""Anonymous reports from the public: submission (no account), the throttle, and the Centre's triage.

A member of the public tells the Centre what they saw. Nothing comes back to them (no code, no status),
nothing about them is kept unless they leave a contact, and the account is encrypted at rest. The
Centre reads the queue, sets a status and, when warranted, registers the report as a case.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.utils.translation import gettext as _

from opennrm import policy
from opennrm.accounts.roles import Sensitivity
from opennrm.audit.services import audit_record
from opennrm.cases import services as case_services
from opennrm.cases.models import Case, ExploitationForm, ReferralSource, TimelineEvent
from opennrm.core import crypto, request_context
from opennrm.core.locking import update_versioned
from opennrm.core.models import CodeSequence
from opennrm.intake.models import PublicReport, PublicReportHint, PublicReportStatus, public_report_aad
from opennrm.lib import clock
from opennrm.lib.errors import DomainError, NotFound
from opennrm.notifications.services import notify

MIN_TEXT = 20
MAX_TEXT = 5000
MAX_CONTACT = 200
MAX_MUNICIPALITY = 120
MAX_OUTCOME_NOTE = 300

# At most this many reports per client per window. The page is open to anyone; the limit keeps one
# sender from flooding the Centre's queue without keeping anything about senders in the database.
THROTTLE_LIMIT = 5
THROTTLE_WINDOW_SECONDS = 3600

# A first look at the hint when a report becomes a case; the Centre corrects it on the case.
FORM_FOR_HINT: dict[str, str] = {
    PublicReportHint.SEXUAL: ExploitationForm.SEXUAL,
    PublicReportHint.LABOUR: ExploitationForm.LABOUR,
    PublicReportHint.BEGGING: ExploitationForm.BEGGING,
    PublicReportHint.CRIMINALITY: ExploitationForm.CRIMINALITY,
}

S = PublicReportStatus
# Statuses the Centre sets by hand; "registered" is set only by registering the report as a case.
REVIEW_TRANSITIONS: dict[str, set[str]] = {
    S.NEW: {S.IN_REVIEW, S.NO_ACTION},
    S.IN_REVIEW: {S.NO_ACTION},
    S.NO_ACTION: {S.IN_REVIEW},
    S.REGISTERED: set(),
}

TIMELINE_KINDS = ("public_report_registered",)


# --- The throttle --------------------------------------------------------------------------------


def _throttle_key(remote_addr: str) -> str:
    # A keyed hash, not the address: even the cache never holds the address itself, and without the
    # secret key the hash cannot be reversed by trying every IPv4 address.
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"opennrm:public-report:{remote_addr}".encode(), hashlib.sha256
    ).hexdigest()
    return f"opennrm:public-report:{digest}"


def _recent(key: str, now: float) -> list[float]:
    stamps = cache.get(key) or []
    return [t for t in stamps if isinstance(t, int | float) and now - t < THROTTLE_WINDOW_SECONDS]


def throttle_allows(remote_addr: str) -> bool:
    """May this client send another report now? (A sliding window of THROTTLE_WINDOW_SECONDS.)"""
    return len(_recent(_throttle_key(remote_addr), time.time())) < THROTTLE_LIMIT


def throttle_count(remote_addr: str) -> None:
    """Count one accepted report. Read-modify-write without a lock: two reports racing may both pass,
    which overshoots the limit by one or two at worst; the limit is a brake, not a guarantee."""
    key = _throttle_key(remote_addr)
    now = time.time()
    stamps = [*_recent(key, now), now]
    cache.set(key, stamps[-THROTTLE_LIMIT:], timeout=THROTTLE_WINDOW_SECONDS)


# --- Submission ----------------------------------------------------------------------------------


@contextmanager
def _without_client() -> Iterator[None]:
    """Audit entries written inside carry no IP address or user agent: the reporter stays anonymous."""
    info = request_context.current()
    token = request_context.set_current(replace(info, ip="", user_agent=""))
    try:
        yield
    finally:
        request_context.reset(token)


def _next_code() -> str:
    """PR-2026-000123 style, from the same locked counter rows as the person and case codes."""
    year = clock.today().year
    prefix = settings.COUNTRY_CODE + "-PR"
    with transaction.atomic():
        seq, _created = CodeSequence.objects.select_for_update().get_or_create(prefix=prefix, year=year)
        seq.last += 1
        seq.save(update_fields=["last"])
    return f"{prefix}-{year}-{seq.last:06d}"


def _text(value: Any, field: str, limit: int) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise DomainError(_("Enter text."), field=field)
    value = value.replace("\x00", "").strip()
    if len(value) > limit:
        raise DomainError(_("At most %(n)d characters.") % {"n": limit}, field=field)
    return value


def _looks_like_an_account(text: str) -> bool:
    """Reject the obviously empty: too few letters, or one character repeated ("aaaaaaaaaaaaaaaaaaaa")."""
    letters = [c for c in text.lower() if c.isalpha()]
    return len(letters) >= 10 and len(set(letters)) >= 5


def _language(value: Any) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return value if value in codes else settings.LANGUAGE_CODE


@transaction.atomic
def public_report_submit(
    *,
    text: str,
    contact: str = "",
    exploitation_hint: str = PublicReportHint.UNKNOWN,
    municipality: str = "",
    language: str,
) -> PublicReport:
    """Store an anonymous report in the Centre's queue and tell the Centre (without its content)."""
    text = _text(text, "text", MAX_TEXT)
    if len(text) < MIN_TEXT:
        raise DomainError(
            _("Please tell us a little more: at least %(n)d characters.") % {"n": MIN_TEXT}, field="text"
        )
    if not _looks_like_an_account(text):
        raise DomainError(_("Please describe in words what you saw or heard."), field="text")
    contact = _text(contact, "contact", MAX_CONTACT)
    municipality = _text(municipality, "municipality", MAX_MUNICIPALITY)
    if exploitation_hint in (None, ""):
        exploitation_hint = PublicReportHint.UNKNOWN
    if exploitation_hint not in PublicReportHint.values:
        raise DomainError(_("Choose one of the listed values."), field="exploitation_hint")
    code = _next_code()
    key_id, blob = crypto.encrypt({"text": text, "contact": contact}, aad=public_report_aad(code))
    report = PublicReport(
        code=code,
        language=_language(language),
        exploitation_hint=exploitation_hint,
        municipality=municipality,
        has_contact=bool(contact),
        data_key_id=key_id,
        ciphertext=blob,
    )
    report.full_clean(exclude=["data_key", "ciphertext"])
    report.save()
    with _without_client():
        audit_record(
            actor=None, actor_username="public", action="create", object_type="public_report", object_id=code
        )
    centre = case_services.centre_organisation()
    if centre is not None:
        notify(organisation=centre, kind="report_received")
    return report


# --- Triage --------------------------------------------------------------------------------------


def public_reports_queue(*, user: Any, limit: int = 200) -> list[PublicReport]:
    """The triage queue: new reports first, then those in review, then the rest; newest first within.
    Empty for anyone who does not triage (as lists are for everything out of scope)."""
    return list(public_reports_queryset(user=user)[:limit])


def public_reports_queryset(*, user: Any) -> models.QuerySet[PublicReport]:
    """``public_reports_queue`` as a query, for a paginated list."""
    if not policy.can(user, policy.TRIAGE):
        return PublicReport.objects.none()
    rank = models.Case(
        models.When(status=S.NEW, then=models.Value(0)),
        models.When(status=S.IN_REVIEW, then=models.Value(1)),
        default=models.Value(2),
        output_field=models.IntegerField(),
    )
    qs = PublicReport.objects.select_related("case", "reviewed_by").annotate(rank=rank)
    return qs.order_by("rank", "-received_at", "-id")


def public_report_get(*, user: Any, code: str) -> PublicReport:
    if not policy.can(user, policy.TRIAGE):
        raise NotFound()
    report = PublicReport.objects.select_related("case", "reviewed_by").filter(code=code).first()
    if report is None:
        raise NotFound()
    return report


def public_report_read(*, user: Any, report: PublicReport) -> dict[str, str]:
    """The decrypted account and contact. Every read is audited."""
    if not policy.can(user, policy.TRIAGE):
        raise NotFound()
    data = crypto.decrypt(report.data_key_id, report.ciphertext, aad=public_report_aad(report.code))
    audit_record(actor=user, action="read", object_type="public_report", object_id=report.code)
    return {"text": str(data.get("text", "")), "contact": str(data.get("contact", ""))}


@transaction.atomic
def public_report_review(
    *,
    user: Any,
    report: PublicReport,
    status: str,
    outcome_note: str = "",
    expected_version: int | None = None,
) -> PublicReport:
    """Take a report into review, or close it without action (with a short note why)."""
    if not policy.can(user, policy.TRIAGE):
        raise NotFound()
    if status not in PublicReportStatus.values or status in (S.NEW, S.REGISTERED):
        raise DomainError(_("Choose one of the listed values."), field="status")
    if status not in REVIEW_TRANSITIONS[report.status]:
        raise DomainError(
            _("A report cannot go from %(old)s to %(new)s.")
            % {"old": PublicReportStatus(report.status).label, "new": PublicReportStatus(status).label},
            field="status",
        )
    outcome_note = _text(outcome_note, "outcome_note", MAX_OUTCOME_NOTE)
    if status == S.NO_ACTION and not outcome_note:
        raise DomainError(_("Say briefly why no action is taken."), field="outcome_note")
    old = report.status
    update_versioned(
        report,
        expected_version=report.version if expected_version is None else expected_version,
        user=user,
        fields={
            "status": status,
            "outcome_note": outcome_note,
            "reviewed_by": user,
            "reviewed_at": clock.now(),
        },
    )
    audit_record(
        actor=user,
        action="update",
        object_type="public_report",
        object_id=report.code,
        detail={"old": old, "new": status},
    )
    return report


@transaction.atomic
def public_report_register(
    *,
    user: Any,
    report: PublicReport,
    person_attributes: dict[str, Any],
    identity: dict[str, Any],
    incident_data: dict[str, Any],
) -> Case:
    """Open a case from a report (referral source: private citizen) and link the report to it.

    The account becomes the case's first note, so the organisations involved later read it with the
    case; the reporter's contact stays with the report (it is about the reporter, not the person)."""
    if not policy.can(user, policy.TRIAGE):
        raise NotFound()
    locked = PublicReport.objects.select_for_update().get(pk=report.pk)
    if locked.status == S.REGISTERED:
        raise DomainError(_("This report is already registered as a case."), field="status")
    data = dict(incident_data or {})
    data.setdefault("municipality", report.municipality)
    if not data.get("forms"):
        data["forms"] = [FORM_FOR_HINT.get(report.exploitation_hint, ExploitationForm.UNKNOWN)]
    case = case_services.intake_register(
        user=user,
        person_attributes=person_attributes,
        identity=identity,
        referral_source=ReferralSource.PRIVATE_CITIZEN,
        incident_data=data,
    )
    account = crypto.decrypt(report.data_key_id, report.ciphertext, aad=public_report_aad(report.code))
    case_services.note_add(
        user=user, case=case, sensitivity=Sensitivity.GENERAL, text=str(account.get("text", ""))
    )
    update_versioned(
        report,
        expected_version=locked.version,
        user=user,
        fields={
            "status": S.REGISTERED,
            "case": case,
            "reviewed_by": user,
            "reviewed_at": clock.now(),
        },
    )
    case_services.timeline_add(
        case=case, user=user, kind="public_report_registered", params={"report": report.code}
    )
    audit_record(
        actor=user,
        action="update",
        object_type="public_report",
        object_id=report.code,
        case_code=case.code,
        detail={"new": S.REGISTERED},
    )
    return case


def describe(event: TimelineEvent) -> str:
    if event.kind == "public_report_registered":
        return _("Case opened from anonymous report %(report)s.") % {
            "report": (event.params or {}).get("report", "")
        }
    return event.kind
