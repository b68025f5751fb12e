"""The country this instance serves (ISO 3166 alpha-2, from ``OPENNRM_COUNTRY``): the default for every
country field, so that another Council of Europe country is a setting, not a code change."""

from __future__ import annotations

from django.conf import settings


def home_country() -> str:
    return settings.COUNTRY_CODE
