"""The risk level from the factors of an assessment, with the reasons that produced it.

Written here because the level must be explainable line by line to the person, the police and a
court; no library encodes a trafficking risk rule. The rule is OpenNRM's starting point (see
docs/howto/security.md) and is meant to be reviewed against the national SOP.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_noop as N_

from opennrm.protection.models import FactorAnswer, RiskFactor, RiskLevel

F = RiskFactor
WEIGHTS: dict[str, int] = {
    F.TRAFFICKER_THREATS: 3,
    F.TRAFFICKERS_KNOW_LOCATION: 3,
    F.TRAFFICKERS_AT_LARGE: 1,
    F.ORGANISED_GROUP: 2,
    F.FAMILY_INVOLVED: 2,
    F.WITNESS_ROLE: 2,
    F.RISK_TO_RELATIVES: 2,
    F.PREVIOUS_RETRAFFICKING: 2,
}
CRITICAL_SCORE = 9
HIGH_SCORE = 5
MEDIUM_SCORE = 2


@dataclass
class Result:
    level: str
    score: int
    # (msgid, params): translated when shown.
    reasons: list[tuple[str, dict]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def assess(answers: dict[str, str]) -> Result:
    yes = {f for f, a in answers.items() if a == FactorAnswer.YES}
    unknown = [f for f in F.values if answers.get(f) == FactorAnswer.UNKNOWN]
    score = sum(WEIGHTS[f] for f in yes)
    reasons: list[tuple[str, dict]] = []
    if F.TRAFFICKER_THREATS in yes and F.TRAFFICKERS_KNOW_LOCATION in yes:
        level = RiskLevel.CRITICAL
        reasons.append((N_("Threats, and the traffickers know or could find where the person is."), {}))
    elif score >= CRITICAL_SCORE:
        level = RiskLevel.CRITICAL
        reasons.append((N_("Many risk factors together (score %(score)d)."), {"score": score}))
    elif F.TRAFFICKER_THREATS in yes:
        level = RiskLevel.HIGH
        reasons.append((N_("The traffickers have threatened the person."), {}))
    elif F.WITNESS_ROLE in yes and ({F.ORGANISED_GROUP, F.TRAFFICKERS_AT_LARGE} & yes):
        level = RiskLevel.HIGH
        reasons.append((N_("A witness against an organised group or against traffickers at large."), {}))
    elif score >= HIGH_SCORE:
        level = RiskLevel.HIGH
        reasons.append((N_("Several risk factors together (score %(score)d)."), {"score": score}))
    elif score >= MEDIUM_SCORE:
        level = RiskLevel.MEDIUM
        reasons.append((N_("Some risk factors (score %(score)d)."), {"score": score}))
    else:
        level = RiskLevel.LOW
        reasons.append((N_("No risk factor found."), {}))
    # Not knowing whether the traffickers threaten or can find the person is itself a risk.
    if level == RiskLevel.LOW and {F.TRAFFICKER_THREATS, F.TRAFFICKERS_KNOW_LOCATION} & set(unknown):
        level = RiskLevel.MEDIUM
        reasons.append((N_("Not known whether the traffickers threaten or can find the person."), {}))
    return Result(level=level, score=score, reasons=reasons, unknown=unknown)
