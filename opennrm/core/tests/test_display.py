"""The compiled date formats and the case path give exactly what Django's own filter and reverse() give."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.template import Context, Template
from django.urls import reverse, set_script_prefix
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from opennrm.core import display

LANGUAGES = ("sr", "sr-latn", "en")
ZONES = [zoneinfo.ZoneInfo(z) for z in ("UTC", "Europe/Belgrade", "America/New_York", "Asia/Kolkata")]

DJANGO = Template('{{ v|date:"SHORT_DATE_FORMAT" }}|{{ v|date:"SHORT_DATETIME_FORMAT" }}')
OURS = Template("{% load opennrm %}{{ v|short_date }}|{{ v|short_datetime }}")

moments = st.datetimes(
    min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30), timezones=st.sampled_from(ZONES)
)


@settings(max_examples=300, deadline=None)
@given(value=moments, language=st.sampled_from(LANGUAGES))
def test_datetimes_format_as_django_formats_them(value: dt.datetime, language: str) -> None:
    # Aware datetimes of any zone, shown in the country's zone (the template's localtime), including
    # years below 1000, midnight and noon (English "P": the fallback to Django's formatting).
    with translation.override(language):
        assert OURS.render(Context({"v": value})) == DJANGO.render(Context({"v": value}))


@settings(max_examples=200, deadline=None)
@given(value=st.dates(), language=st.sampled_from(LANGUAGES))
def test_dates_format_as_django_formats_them(value: dt.date, language: str) -> None:
    template_ours = Template("{% load opennrm %}{{ v|short_date }}")
    template_django = Template('{{ v|date:"SHORT_DATE_FORMAT" }}')
    with translation.override(language):
        assert template_ours.render(Context({"v": value})) == template_django.render(Context({"v": value}))


@pytest.mark.parametrize("value", [None, "", "not a date", 17])
def test_what_is_not_a_date_shows_nothing(value: object) -> None:
    assert display.short_date(value) == ""  # type: ignore[arg-type]
    assert display.short_datetime(value) == ""  # type: ignore[arg-type]


def test_a_date_given_a_time_format_fails_as_django_fails() -> None:
    with translation.override("sr"), pytest.raises(TypeError):
        display.short_datetime(dt.date(2026, 3, 1))


def test_the_serbian_format_is_compiled_and_the_english_datetime_is_not() -> None:
    with translation.override("sr"):
        assert display._formatter("sr", "SHORT_DATETIME_FORMAT")[1] is not None
        assert display.short_datetime(dt.datetime(2026, 3, 1, 9, 5, tzinfo=dt.UTC)) == "1.03.2026. 10:05"
    with translation.override("en"):
        assert display._formatter("en", "SHORT_DATETIME_FORMAT")[1] is None  # "P": Django formats it
        assert display.short_datetime(dt.datetime(2026, 3, 1, 11, 0, tzinfo=dt.UTC)) == "03/01/2026 noon"


@pytest.mark.parametrize("code", ["RS-C-2026-000001", "a b", "ć~š", "x?y#z", "50%", "A:B@C"])
def test_the_case_path_is_the_reversed_url(code: str) -> None:
    assert display.case_path(code) == reverse("cases:detail", args=[code])


def test_the_case_path_follows_the_script_prefix() -> None:
    try:
        set_script_prefix("/nrm/")
        assert display.case_path("RS-C-1") == "/nrm/cases/RS-C-1/" == reverse("cases:detail", args=["RS-C-1"])
    finally:
        set_script_prefix("/")
    assert display.case_path("RS-C-1") == "/cases/RS-C-1/"


def test_the_case_link_escapes_the_code() -> None:
    ours = Template("{% load opennrm %}{{ c|case_link }}").render(Context({"c": "<b>&"}))
    django = Template("<a href=\"{% url 'cases:detail' c %}\">{{ c }}</a>").render(Context({"c": "<b>&"}))
    assert ours == django == '<a href="/cases/%3Cb%3E&amp;/">&lt;b&gt;&amp;</a>'
