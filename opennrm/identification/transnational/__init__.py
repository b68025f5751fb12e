"""Transnational cases: a citizen identified abroad and referred home, consent to what crosses a border
(an embassy contact, sharing with a foreign authority, family tracing), and contacts with embassies
(CETS 197 Art. 16, 32-33). ``services`` holds the rules, ``views`` and ``apis`` the pages and the API."""

from opennrm.identification.transnational.services import (
    CHILD_RETURN_STEP,
    EMBASSY_TYPES,
    FOREIGN_AUTHORITY_TYPES,
    RETURN_STEPS,
    TIMELINE_KINDS,
    consent_record,
    consent_withdraw,
    consents,
    current_consent,
    describe,
    embassy_contact_record,
    embassy_contacts,
    has_valid_consent,
    transnational_get,
    transnational_register,
    valid_consent_in,
)

__all__ = [
    "CHILD_RETURN_STEP",
    "EMBASSY_TYPES",
    "FOREIGN_AUTHORITY_TYPES",
    "RETURN_STEPS",
    "TIMELINE_KINDS",
    "consent_record",
    "consent_withdraw",
    "consents",
    "current_consent",
    "describe",
    "embassy_contact_record",
    "embassy_contacts",
    "has_valid_consent",
    "transnational_get",
    "transnational_register",
    "valid_consent_in",
]
