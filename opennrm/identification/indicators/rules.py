"""Evaluating a screening against an indicator set: the ILO/EC combination rule and the count rule.

A suggestion only: the competent authority decides."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from opennrm.identification.indicators.sets import (
    ANSWERS,
    EXPLOITATION_KINDS,
    MEANS_KINDS,
    RECRUITMENT_KINDS,
    RULES_VERSION,
    IndicatorSet,
)

# ---------------------------------------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class Reason:
    # A machine code plus plain JSON params; ``explain`` turns it into a translated sentence later, so
    # the stored record never depends on the language of the person who screened.
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": self.params}


@dataclass(frozen=True)
class Evaluation:
    set_code: str
    set_version: str
    rule: str
    is_child: bool
    recommendation: str
    met: list[tuple[str, str | None]]
    unknown_count: int
    applicable_count: int
    positive_dimensions: list[str]
    reasons: list[Reason]

    def reason_codes(self) -> list[str]:
        return [reason.code for reason in self.reasons]

    def as_dict(self) -> dict[str, Any]:
        return {
            "set": self.set_code,
            "version": self.set_version,
            "rule": self.rule,
            "rules_version": RULES_VERSION,
            "is_child": self.is_child,
            "recommendation": self.recommendation,
            "met": [{"item": item_id, "strength": strength} for item_id, strength in self.met],
            "unknown_count": self.unknown_count,
            "applicable_count": self.applicable_count,
            "positive_dimensions": list(self.positive_dimensions),
            "reasons": [reason.as_dict() for reason in self.reasons],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Evaluation:
        return cls(
            set_code=data["set"],
            set_version=data["version"],
            rule=data["rule"],
            is_child=data["is_child"],
            recommendation=data["recommendation"],
            met=[(entry["item"], entry["strength"]) for entry in data["met"]],
            unknown_count=data["unknown_count"],
            applicable_count=data["applicable_count"],
            positive_dimensions=list(data["positive_dimensions"]),
            reasons=[Reason(r["code"], dict(r["params"])) for r in data["reasons"]],
        )


def _check_answers(indicator_set: IndicatorSet, answers: Mapping[str, str]) -> None:
    known = {candidate.id for candidate in indicator_set.items}
    for item_id, value in answers.items():
        if item_id not in known:
            raise ValueError(f"{indicator_set.code}@{indicator_set.version}: unknown item {item_id!r}")
        if value not in ANSWERS:
            raise ValueError(
                f"{indicator_set.code}@{indicator_set.version}: item {item_id}: answer {value!r} "
                f"is not one of yes, no, unknown"
            )


def dimension_positive(strong: int, medium: int, weak: int) -> bool:
    """The ILO/EC combination rule for one dimension (WCMS_105023): at least 2 strong, or 1 strong and
    1 medium or weak, or 3 medium, or 2 medium and 1 weak. Weak indicators alone are never enough."""
    return strong >= 2 or (strong >= 1 and medium + weak >= 1) or medium >= 3 or (medium >= 2 and weak >= 1)


def _more_than_half_unknown(unknown: int, applicable: int) -> bool:
    return applicable > 0 and unknown * 2 > applicable


def evaluate(indicator_set: IndicatorSet, answers: Mapping[str, str], *, is_child: bool) -> Evaluation:
    """Turn yes/no/unknown answers into a suggestion with its reasons.

    An item missing from ``answers`` counts as unknown (not asked), never as "no": an unasked question
    is no evidence either way."""
    _check_answers(indicator_set, answers)
    if not indicator_set.is_for(is_child=is_child):
        who = "a child" if is_child else "an adult"
        raise ValueError(f"{indicator_set.code}@{indicator_set.version} is not for screening {who}")
    if indicator_set.rule == "delphi":
        return _evaluate_delphi(indicator_set, answers, is_child=is_child)
    return _evaluate_count(indicator_set, answers, is_child=is_child)


def _evaluate_delphi(
    indicator_set: IndicatorSet, answers: Mapping[str, str], *, is_child: bool
) -> Evaluation:
    met: list[tuple[str, str | None]] = []
    reasons: list[Reason] = []
    ignored: list[str] = []
    unknown = 0
    applicable = 0
    counts: dict[str, dict[str, int]] = {d.id: {"S": 0, "M": 0, "W": 0} for d in indicator_set.dimensions}
    touched: dict[str, int] = {d.id: 0 for d in indicator_set.dimensions}

    for candidate in indicator_set.items:
        answer = answers.get(candidate.id, "unknown")
        if not candidate.applies(is_child=is_child):
            # Not in the children's list: an answer neither helps nor hurts, but say it was ignored.
            if answer == "yes":
                ignored.append(candidate.id)
            continue
        applicable += 1
        if answer == "unknown":
            unknown += 1
        elif answer == "yes":
            strength = candidate.strength_for(is_child=is_child)
            assert strength is not None  # applies() ruled out "none"
            met.append((candidate.id, strength))
            counts[candidate.dimension or ""][strength] += 1
            touched[candidate.dimension or ""] += 1

    positive: list[str] = []
    for dim in indicator_set.dimensions:
        c = counts[dim.id]
        params = {"dimension": dim.id, "strong": c["S"], "medium": c["M"], "weak": c["W"]}
        if dimension_positive(c["S"], c["M"], c["W"]):
            positive.append(dim.id)
            reasons.append(Reason("dimension_positive", params))
        elif touched[dim.id]:
            reasons.append(Reason("dimension_not_positive", params))

    kind = {d.id: d.kind for d in indicator_set.dimensions}

    def group(kinds: frozenset[str]) -> list[str]:
        return [d.id for d in indicator_set.dimensions if d.kind in kinds]

    exploitation = [d for d in positive if kind[d] in EXPLOITATION_KINDS]
    if is_child:
        # Children: the means need not be shown (Palermo Protocol art. 3(c)). The act of recruitment is
        # established by any recruitment indicator met, not only by a positive dimension: a child's
        # recruitment need not be deceptive or coercive for it to be trafficking.
        recruitment = [d for d in group(RECRUITMENT_KINDS) if touched[d]]
        rule_met = bool(recruitment and exploitation)
        if rule_met:
            reasons.append(
                Reason("child_rule_met", {"recruitment": recruitment, "exploitation": exploitation})
            )
        elif met:  # with nothing met, "no indicator met" says it all
            if not recruitment:
                reasons.append(Reason("missing_recruitment", {"dimensions": group(RECRUITMENT_KINDS)}))
            if not exploitation:
                reasons.append(Reason("missing_exploitation", {"dimensions": group(EXPLOITATION_KINDS)}))
    else:
        # Adults: act (a positive recruitment dimension) AND purpose (positive exploitation) AND means at
        # destination (positive coercion or abuse of vulnerability).
        recruitment = [d for d in positive if kind[d] in RECRUITMENT_KINDS]
        means = [d for d in positive if kind[d] in MEANS_KINDS]
        rule_met = bool(recruitment and exploitation and means)
        if rule_met:
            reasons.append(
                Reason(
                    "adult_rule_met",
                    {"recruitment": recruitment, "exploitation": exploitation, "means": means},
                )
            )
        elif met:
            if not recruitment:
                reasons.append(Reason("missing_recruitment", {"dimensions": group(RECRUITMENT_KINDS)}))
            if not exploitation:
                reasons.append(Reason("missing_exploitation", {"dimensions": group(EXPLOITATION_KINDS)}))
            if not means:
                reasons.append(Reason("missing_means", {"dimensions": group(MEANS_KINDS)}))

    strong = sum(1 for _item, strength in met if strength == "S")
    many_unknown = _more_than_half_unknown(unknown, applicable)
    if met:
        reasons.append(Reason("indicators_met", {"count": len(met), "strong": strong}))
    if rule_met:
        recommendation = "refer"
    elif positive or len(met) >= 2 or strong:
        # Something is there but the rule is not met: a positive dimension, two indicators anywhere or one
        # strong indicator is worth a closer look before anyone concludes.
        recommendation = "gather_more"
    elif not met:
        recommendation = "no_indication"
        reasons.append(Reason("no_indicator_met"))
    else:
        # A single medium or weak indicator fits too many ordinary hard lives (poverty, migration) to
        # ask for more by itself, unless most questions were not answered: then it may be the tip.
        recommendation = "gather_more" if many_unknown else "no_indication"
    if many_unknown:
        reasons.append(Reason("many_unknown", {"unknown": unknown, "total": applicable}))
    if ignored:
        reasons.append(Reason("not_for_children", {"items": ignored}))

    return Evaluation(
        set_code=indicator_set.code,
        set_version=indicator_set.version,
        rule=indicator_set.rule,
        is_child=is_child,
        recommendation=recommendation,
        met=met,
        unknown_count=unknown,
        applicable_count=applicable,
        positive_dimensions=positive,
        reasons=reasons,
    )


def _evaluate_count(indicator_set: IndicatorSet, answers: Mapping[str, str], *, is_child: bool) -> Evaluation:
    assert indicator_set.refer_at is not None and indicator_set.gather_at is not None  # validated on load
    met: list[tuple[str, str | None]] = []
    keys: list[str] = []
    unknown = 0
    for candidate in indicator_set.items:
        answer = answers.get(candidate.id, "unknown")
        if answer == "unknown":
            unknown += 1
        elif answer == "yes":
            met.append((candidate.id, None))
            if candidate.key:
                keys.append(candidate.id)
    count = len(met)
    applicable = len(indicator_set.items)
    reasons: list[Reason] = []
    if keys:
        reasons.append(Reason("key_indicator", {"items": keys}))
    if count >= indicator_set.refer_at:
        recommendation = "refer"
        reasons.append(
            Reason(
                "count_at_or_above", {"count": count, "threshold": indicator_set.refer_at, "level": "refer"}
            )
        )
    elif keys:
        recommendation = "refer"
        reasons.append(Reason("indicators_met", {"count": count, "strong": None}))
    elif count >= indicator_set.gather_at:
        recommendation = "gather_more"
        reasons.append(
            Reason(
                "count_at_or_above",
                {
                    "count": count,
                    "threshold": indicator_set.gather_at,
                    "level": "gather_more",
                    "refer_at": indicator_set.refer_at,
                },
            )
        )
    else:
        recommendation = "no_indication"
        if count:
            reasons.append(Reason("count_below", {"count": count, "threshold": indicator_set.gather_at}))
        else:
            reasons.append(Reason("no_indicator_met"))
    if _more_than_half_unknown(unknown, applicable):
        reasons.append(Reason("many_unknown", {"unknown": unknown, "total": applicable}))
        if recommendation == "no_indication" and count:
            recommendation = "gather_more"  # same reading as for delphi sets
    return Evaluation(
        set_code=indicator_set.code,
        set_version=indicator_set.version,
        rule=indicator_set.rule,
        is_child=is_child,
        recommendation=recommendation,
        met=met,
        unknown_count=unknown,
        applicable_count=applicable,
        positive_dimensions=[],
        reasons=reasons,
    )
