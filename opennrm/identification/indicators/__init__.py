"""Indicator sets for screening presumed victims, and the rules that turn answers into a suggestion.

Pure Python on purpose: no models, no database. The sets are versioned TOML files in ``indicator_sets/``
(``<code>@<version>.toml``), so a screening stores the code and version it was made with and can be
re-read, re-explained and re-evaluated years later, after newer versions ship. docs/indicators.md describes
the sets, their sources and what still has to be checked against the ILO and UNODC publications.

The result of ``evaluate`` is a suggestion only. Indicators are signs for screening, not legal findings:
only the competent authority (the Centre for Protection of Victims of Trafficking, or the centre for social
work for a child) decides whether a person is a victim.
"""

from opennrm.identification.indicators.explain import (
    explain,
)
from opennrm.identification.indicators.rules import (
    Evaluation,
    Reason,
    dimension_positive,
    evaluate,
)
from opennrm.identification.indicators.sets import (
    ANSWERS,
    APPLIES_TO,
    DEFAULT_DIRECTORY,
    DIMENSION_KINDS,
    EXPLOITATION_KINDS,
    FORMS,
    MEANS_KINDS,
    NOT_FOR_CHILDREN,
    RECRUITMENT_KINDS,
    RULES,
    RULES_VERSION,
    STRENGTHS,
    Answer,
    Dimension,
    IndicatorSet,
    IndicatorSetError,
    Item,
    Recommendation,
    UnknownIndicatorSet,
    available,
    clear_cache,
    get_set,
    latest,
    load_sets,
    parse_set,
    pick_text,
    version_key,
)

__all__ = [
    "ANSWERS",
    "APPLIES_TO",
    "Answer",
    "DEFAULT_DIRECTORY",
    "DIMENSION_KINDS",
    "Dimension",
    "EXPLOITATION_KINDS",
    "Evaluation",
    "FORMS",
    "IndicatorSet",
    "IndicatorSetError",
    "Item",
    "MEANS_KINDS",
    "NOT_FOR_CHILDREN",
    "RECRUITMENT_KINDS",
    "RULES",
    "RULES_VERSION",
    "Reason",
    "Recommendation",
    "STRENGTHS",
    "UnknownIndicatorSet",
    "available",
    "clear_cache",
    "dimension_positive",
    "evaluate",
    "explain",
    "get_set",
    "latest",
    "load_sets",
    "parse_set",
    "pick_text",
    "version_key",
]
