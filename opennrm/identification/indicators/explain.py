"""The evaluation in sentences, in the reader's language: never a bare score."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.utils import translation
from django.utils.translation import gettext, gettext_noop, ngettext

from opennrm.identification.indicators.rules import Evaluation, Reason
from opennrm.identification.indicators.sets import IndicatorSet, _active_language

# ---------------------------------------------------------------------------------------------- explanation


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return gettext("%(list)s and %(last)s") % {"list": ", ".join(parts[:-1]), "last": parts[-1]}


def _strength_counts(params: Mapping[str, int]) -> str:
    parts = []
    if params.get("strong"):
        n = params["strong"]
        parts.append(ngettext("%(count)d strong indicator", "%(count)d strong indicators", n) % {"count": n})
    if params.get("medium"):
        n = params["medium"]
        parts.append(ngettext("%(count)d medium indicator", "%(count)d medium indicators", n) % {"count": n})
    if params.get("weak"):
        n = params["weak"]
        parts.append(ngettext("%(count)d weak indicator", "%(count)d weak indicators", n) % {"count": n})
    return _join(parts)


def _dimension_titles(indicator_set: IndicatorSet, ids: Iterable[str]) -> str:
    return ", ".join(indicator_set.dimension_label(d) for d in ids)


def _item_labels(indicator_set: IndicatorSet, ids: Iterable[str]) -> str:
    return "; ".join(indicator_set.item_label(i) for i in ids)


# Marked with gettext_noop so makemessages finds them; translated when explained, in the reader's language.
_HEADLINES = {
    "refer": gettext_noop(
        "Suggestion: refer to the Centre for Protection of Victims of Trafficking for identification. "
        "This is not a finding; the Centre decides."
    ),
    "gather_more": gettext_noop("Suggestion: gather more information before deciding on a referral."),
    "no_indication": gettext_noop(
        "Suggestion: the answers give no indication of trafficking. "
        "This does not show that the person was not trafficked."
    ),
}


def _sentence(reason: Reason, indicator_set: IndicatorSet, evaluation: Evaluation) -> str | None:
    p = reason.params
    code = reason.code
    if code == "dimension_positive":
        return gettext("%(dimension)s is positive: %(counts)s met.") % {
            "dimension": indicator_set.dimension_label(p["dimension"]),
            "counts": _strength_counts(p),
        }
    if code == "dimension_not_positive":
        return gettext("%(dimension)s is not positive: only %(counts)s met.") % {
            "dimension": indicator_set.dimension_label(p["dimension"]),
            "counts": _strength_counts(p),
        }
    if code == "adult_rule_met":
        return gettext(
            "The combination rule for adults is met: recruitment (%(recruitment)s), exploitation "
            "(%(exploitation)s) and coercion or abuse of vulnerability at destination (%(means)s) are positive."
        ) % {
            "recruitment": _dimension_titles(indicator_set, p["recruitment"]),
            "exploitation": _dimension_titles(indicator_set, p["exploitation"]),
            "means": _dimension_titles(indicator_set, p["means"]),
        }
    if code == "child_rule_met":
        return gettext(
            "The combination rule for children is met: recruitment is indicated (%(recruitment)s) and "
            "%(exploitation)s is positive. For a child the means need not be shown."
        ) % {
            "recruitment": _dimension_titles(indicator_set, p["recruitment"]),
            "exploitation": _dimension_titles(indicator_set, p["exploitation"]),
        }
    if code == "missing_recruitment":
        if evaluation.is_child:
            return gettext("Recruitment is not indicated: no indicator was met in %(dimensions)s.") % {
                "dimensions": _dimension_titles(indicator_set, p["dimensions"])
            }
        return gettext("Recruitment is not established: no dimension among %(dimensions)s is positive.") % {
            "dimensions": _dimension_titles(indicator_set, p["dimensions"])
        }
    if code == "missing_exploitation":
        return gettext("Exploitation is not established: %(dimensions)s is not positive.") % {
            "dimensions": _dimension_titles(indicator_set, p["dimensions"])
        }
    if code == "missing_means":
        return gettext(
            "The means are not established for an adult: no dimension among %(dimensions)s is positive."
        ) % {"dimensions": _dimension_titles(indicator_set, p["dimensions"])}
    if code == "indicators_met":
        n = p["count"]
        if p.get("strong"):
            return ngettext(
                "%(count)d indicator met, %(strong)d of them strong.",
                "%(count)d indicators met, %(strong)d of them strong.",
                n,
            ) % {"count": n, "strong": p["strong"]}
        return ngettext("%(count)d indicator met.", "%(count)d indicators met.", n) % {"count": n}
    if code == "count_at_or_above":
        n = p["count"]
        if p["level"] == "refer":
            return ngettext(
                "%(count)d indicator met, at or above the referral threshold of %(threshold)d.",
                "%(count)d indicators met, at or above the referral threshold of %(threshold)d.",
                n,
            ) % {"count": n, "threshold": p["threshold"]}
        return ngettext(
            "%(count)d indicator met: more information is needed (referral from %(refer_at)d).",
            "%(count)d indicators met: more information is needed (referral from %(refer_at)d).",
            n,
        ) % {"count": n, "refer_at": p["refer_at"]}
    if code == "count_below":
        n = p["count"]
        return ngettext(
            "%(count)d indicator met, below the threshold of %(threshold)d.",
            "%(count)d indicators met, below the threshold of %(threshold)d.",
            n,
        ) % {"count": n, "threshold": p["threshold"]}
    if code == "key_indicator":
        return ngettext(
            "A key indicator is met, which alone suggests referral: %(items)s.",
            "Key indicators are met, each of which alone suggests referral: %(items)s.",
            len(p["items"]),
        ) % {"items": _item_labels(indicator_set, p["items"])}
    if code == "no_indicator_met":
        return gettext("No indicator was answered yes.")
    if code == "many_unknown":
        return gettext(
            "%(unknown)d of %(total)d indicators are unknown, so this result rests on incomplete information."
        ) % {"unknown": p["unknown"], "total": p["total"]}
    if code == "not_for_children":
        return gettext(
            "Not counted for a child, as these indicators do not apply to children: %(items)s."
        ) % {"items": _item_labels(indicator_set, p["items"])}
    return None  # a reason code from a newer rules version: better silent than wrong


def explain(evaluation: Evaluation, indicator_set: IndicatorSet, lang: str | None = None) -> list[str]:
    """Human sentences for an evaluation, in ``lang`` (default: the active language). Never a bare score."""
    if (evaluation.set_code, evaluation.set_version) != (indicator_set.code, indicator_set.version):
        raise ValueError(
            f"evaluation of {evaluation.set_code}@{evaluation.set_version} "
            f"explained with {indicator_set.code}@{indicator_set.version}"
        )
    language = _active_language(lang)
    with translation.override(language):
        sentences = [gettext(_HEADLINES[evaluation.recommendation])]
        for reason in evaluation.reasons:
            sentence = _sentence(reason, indicator_set, evaluation)
            if sentence:
                sentences.append(sentence)
        if not indicator_set.verified:
            sentences.append(
                gettext("The indicator set %(set)s has not yet been checked against its source publication.")
                % {"set": indicator_set.label()}
            )
    return sentences
