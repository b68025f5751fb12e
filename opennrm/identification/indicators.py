"""Indicator sets for screening presumed victims, and the rules that turn answers into a suggestion.

Pure Python on purpose: no models, no database. The sets are versioned TOML files in ``indicator_sets/``
(``<code>@<version>.toml``), so a screening stores the code and version it was made with and can be
re-read, re-explained and re-evaluated years later, after newer versions ship. docs/indicators.md describes
the sets, their sources and what still has to be checked against the ILO and UNODC publications.

The result of ``evaluate`` is a suggestion only. Indicators are signs for screening, not legal findings:
only the competent authority (the Centre for Protection of Victims of Trafficking, or the centre for social
work for a child) decides whether a person is a victim.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from django.utils import translation
from django.utils.translation import gettext, gettext_noop, ngettext

from opennrm.lib.scripts import has_cyrillic, to_latin

DEFAULT_DIRECTORY = Path(__file__).resolve().parent / "indicator_sets"

# Bumped when the rules below change meaning, and stored with every evaluation (``as_dict``), so an old
# result can be told apart from one the current code would produce.
RULES_VERSION = "1"

Answer = Literal["yes", "no", "unknown"]
ANSWERS: frozenset[str] = frozenset({"yes", "no", "unknown"})

Recommendation = Literal["refer", "gather_more", "no_indication"]

RULES = frozenset({"delphi", "count"})
APPLIES_TO = frozenset({"any", "adult", "child"})
FORMS = frozenset(
    {
        "sexual",
        "labour",
        "forced_labour",
        "criminality",
        "begging",
        "pornography",
        "slavery",
        "organs",
        "armed_conflict",
        "forced_marriage",
    }
)
STRENGTHS = ("S", "M", "W")
NOT_FOR_CHILDREN = "none"

# Dimension kinds of the ILO/EC (Delphi) lists and the part of the trafficking definition each stands for.
# recruitment (deceptive recruitment) and means_recruitment (coercive recruitment, recruitment by abuse of
# vulnerability) are all the act; exploitation is the purpose; coercion and vulnerability at destination
# are the means that keep an adult in the exploitation.
RECRUITMENT_KINDS = frozenset({"recruitment", "means_recruitment"})
EXPLOITATION_KINDS = frozenset({"exploitation"})
MEANS_KINDS = frozenset({"coercion", "vulnerability"})
DIMENSION_KINDS = RECRUITMENT_KINDS | EXPLOITATION_KINDS | MEANS_KINDS

_FILE_NAME = re.compile(r"^(?P<code>[a-z][a-z0-9_]*)@(?P<version>\d+(?:\.\d+)*)\.toml$")
_TOP_KEYS = {
    "code",
    "version",
    "rule",
    "applies_to",
    "forms",
    "source",
    "licence",
    "verified",
    "verify_note",
    "title",
    "dimensions",
    "items",
    "refer_at",
    "gather_at",
}
_ITEM_KEYS = {"id", "dimension", "strength", "child_strength", "ilo11", "context", "key", "source", "label"}
_DIMENSION_KEYS = {"id", "kind", "title"}
_QUOTES = re.compile(r"([\"'„“”‘’«»])")


class IndicatorSetError(ValueError):
    """A shipped or added indicator-set file is malformed. The message names the file and the item."""


class UnknownIndicatorSet(LookupError):
    """No indicator set with this code (and version)."""


# ---------------------------------------------------------------------------------------------- texts


def _active_language(lang: str | None) -> str:
    return (lang or translation.get_language() or "en").lower().replace("_", "-")


def _latin(text: str) -> str:
    # serbian-translit leaves quoted words alone (it takes them for foreign names), but our quotes hold
    # Serbian words („породице”), so transliterate between the quote marks too.
    return "".join(part if _QUOTES.fullmatch(part) else to_latin(part) for part in _QUOTES.split(text))


def pick_text(texts: Mapping[str, str], lang: str | None = None) -> str:
    """The text for ``lang`` ("en", "sr" = Cyrillic, "sr-latn" = Latin made from the Cyrillic), else English.

    Without ``lang`` the active Django language is used, so templates need not pass it."""
    language = _active_language(lang)
    if language in ("sr-latn", "sr-latin") and texts.get("sr"):
        return _latin(texts["sr"])
    if language in ("sr", "sr-cyrl") and texts.get("sr"):
        return texts["sr"]
    return texts.get("en", "")


# ---------------------------------------------------------------------------------------------- sets


@dataclass(frozen=True)
class Dimension:
    id: str
    kind: str
    title: Mapping[str, str]

    def label(self, lang: str | None = None) -> str:
        return pick_text(self.title, lang)


@dataclass(frozen=True)
class Item:
    id: str
    label_texts: Mapping[str, str]
    dimension: str | None = None
    strength: str | None = None
    # Strength in the children's list when it differs; "none" = the item is not in the children's list.
    child_strength: str | None = None
    ilo11: tuple[str, ...] = ()
    context: bool = False
    key: bool = False
    source: str | None = None

    def label(self, lang: str | None = None) -> str:
        return pick_text(self.label_texts, lang)

    def applies(self, *, is_child: bool) -> bool:
        return not (is_child and self.child_strength == NOT_FOR_CHILDREN)

    def strength_for(self, *, is_child: bool) -> str | None:
        """The strength that counts for this person: the children's one when given, else the adult one."""
        if is_child and self.child_strength:
            return None if self.child_strength == NOT_FOR_CHILDREN else self.child_strength
        return self.strength


@dataclass(frozen=True)
class IndicatorSet:
    code: str
    version: str
    rule: str
    applies_to: str
    forms: tuple[str, ...]
    title: Mapping[str, str]
    source: str
    licence: str
    verified: bool
    verify_note: str
    dimensions: tuple[Dimension, ...]
    items: tuple[Item, ...]
    refer_at: int | None = None
    gather_at: int | None = None
    file_name: str = ""

    @property
    def version_key(self) -> tuple[int, ...]:
        return version_key(self.version)

    def label(self, lang: str | None = None) -> str:
        return pick_text(self.title, lang)

    def item(self, item_id: str) -> Item:
        for candidate in self.items:
            if candidate.id == item_id:
                return candidate
        raise KeyError(f"{self.code}@{self.version}: no item {item_id!r}")

    def item_label(self, item_id: str, lang: str | None = None) -> str:
        return self.item(item_id).label(lang)

    def dimension(self, dimension_id: str) -> Dimension:
        for candidate in self.dimensions:
            if candidate.id == dimension_id:
                return candidate
        raise KeyError(f"{self.code}@{self.version}: no dimension {dimension_id!r}")

    def dimension_label(self, dimension_id: str, lang: str | None = None) -> str:
        return self.dimension(dimension_id).label(lang)

    def items_of(self, dimension_id: str) -> list[Item]:
        return [candidate for candidate in self.items if candidate.dimension == dimension_id]

    def is_for(self, *, is_child: bool) -> bool:
        return self.applies_to == "any" or (self.applies_to == "child") == is_child


def version_key(version: str) -> tuple[int, ...]:
    # "2026.10" sorts after "2026.9": compare as numbers, not strings.
    return tuple(int(part) for part in version.split("."))


# ---------------------------------------------------------------------------------------------- loading


def _texts(raw: Any, where: str) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise IndicatorSetError(f"{where}: needs a table with en and sr texts")
    for lang in ("en", "sr"):
        if not isinstance(raw.get(lang), str) or not raw[lang].strip():
            raise IndicatorSetError(f"{where}: missing {lang} text")
    # The Latin script is derived, never stored; a Latin "sr" would make a Cyrillic screen show Latin.
    if not has_cyrillic(raw["sr"]):
        raise IndicatorSetError(f"{where}: the sr text must be in Cyrillic")
    unknown = set(raw) - {"en", "sr"}
    if unknown:
        raise IndicatorSetError(f"{where}: unknown languages {sorted(unknown)} (sr-latn is derived from sr)")
    return {"en": raw["en"].strip(), "sr": raw["sr"].strip()}


def _parse_dimension(raw: Any, file_name: str, index: int) -> Dimension:
    where = f"{file_name}: dimension {index + 1}"
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not raw["id"]:
        raise IndicatorSetError(f"{where}: needs an id")
    where = f"{file_name}: dimension {raw['id']}"
    unknown = set(raw) - _DIMENSION_KEYS
    if unknown:
        raise IndicatorSetError(f"{where}: unknown fields {sorted(unknown)}")
    if raw.get("kind") not in DIMENSION_KINDS:
        raise IndicatorSetError(f"{where}: kind must be one of {sorted(DIMENSION_KINDS)}")
    return Dimension(id=raw["id"], kind=raw["kind"], title=_texts(raw.get("title"), f"{where} title"))


def _parse_item(raw: Any, file_name: str, index: int, rule: str) -> Item:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not raw["id"].strip():
        raise IndicatorSetError(f"{file_name}: item {index + 1} needs an id")
    item_id = raw["id"].strip()
    where = f"{file_name}: item {item_id}"
    unknown = set(raw) - _ITEM_KEYS
    if unknown:
        raise IndicatorSetError(f"{where}: unknown fields {sorted(unknown)}")
    strength = raw.get("strength")
    child_strength = raw.get("child_strength")
    if rule == "delphi":
        if strength not in STRENGTHS:
            raise IndicatorSetError(f"{where}: strength must be one of {', '.join(STRENGTHS)}")
        if child_strength is not None and child_strength not in (*STRENGTHS, NOT_FOR_CHILDREN):
            raise IndicatorSetError(f"{where}: child_strength must be S, M, W or none")
        if not isinstance(raw.get("dimension"), str):
            raise IndicatorSetError(f"{where}: needs a dimension")
        if raw.get("key"):
            raise IndicatorSetError(f"{where}: key items exist only in count sets")
    else:
        for name in ("strength", "child_strength", "dimension"):
            if name in raw:
                raise IndicatorSetError(f"{where}: {name} is only for delphi sets")
    ilo11 = raw.get("ilo11", [])
    if not isinstance(ilo11, list) or not all(isinstance(ref, str) for ref in ilo11):
        raise IndicatorSetError(f"{where}: ilo11 must be a list of ids")
    for flag in ("context", "key"):
        if not isinstance(raw.get(flag, False), bool):
            raise IndicatorSetError(f"{where}: {flag} must be true or false")
    if "source" in raw and not isinstance(raw["source"], str):
        raise IndicatorSetError(f"{where}: source must be text")
    return Item(
        id=item_id,
        label_texts=_texts(raw.get("label"), f"{where} label"),
        dimension=raw.get("dimension"),
        strength=strength,
        child_strength=child_strength,
        ilo11=tuple(ilo11),
        context=raw.get("context", False),
        key=raw.get("key", False),
        source=raw.get("source"),
    )


def parse_set(path: Path) -> IndicatorSet:
    """Read and validate one file. Raises IndicatorSetError naming the file and the offending item."""
    file_name = path.name
    match = _FILE_NAME.match(file_name)
    if not match:
        raise IndicatorSetError(
            f"{file_name}: file name must be <code>@<version>.toml, e.g. labour@2026.1.toml"
        )
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise IndicatorSetError(f"{file_name}: not valid TOML: {error}") from error

    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise IndicatorSetError(f"{file_name}: unknown fields {sorted(unknown)}")
    for name in ("code", "version", "rule", "applies_to", "source", "licence"):
        if not isinstance(data.get(name), str) or not data[name].strip():
            raise IndicatorSetError(f"{file_name}: missing {name}")
    if (data["code"], data["version"]) != (match["code"], match["version"]):
        raise IndicatorSetError(f"{file_name}: code and version must match the file name")
    rule = data["rule"]
    if rule not in RULES:
        raise IndicatorSetError(f"{file_name}: rule must be one of {sorted(RULES)}")
    if data["applies_to"] not in APPLIES_TO:
        raise IndicatorSetError(f"{file_name}: applies_to must be one of {sorted(APPLIES_TO)}")
    forms = data.get("forms")
    if not isinstance(forms, list) or not forms or not set(forms) <= FORMS:
        raise IndicatorSetError(f"{file_name}: forms must be a non-empty list from {sorted(FORMS)}")
    if not isinstance(data.get("verified"), bool):
        raise IndicatorSetError(f"{file_name}: verified must be true or false")
    verify_note = data.get("verify_note", "")
    if not data["verified"] and not (isinstance(verify_note, str) and verify_note.strip()):
        # An unverified set must say what is unverified, or nobody will know what to check.
        raise IndicatorSetError(f"{file_name}: an unverified set needs a verify_note")
    title = _texts(data.get("title"), f"{file_name}: title")

    dimensions: tuple[Dimension, ...] = ()
    if rule == "delphi":
        raw_dimensions = data.get("dimensions")
        if not isinstance(raw_dimensions, list) or not raw_dimensions:
            raise IndicatorSetError(f"{file_name}: a delphi set needs dimensions")
        dimensions = tuple(_parse_dimension(raw, file_name, i) for i, raw in enumerate(raw_dimensions))
        _no_duplicates([d.id for d in dimensions], file_name, "dimension")
        kinds = {d.kind for d in dimensions}
        for needed, what in (
            (RECRUITMENT_KINDS, "recruitment"),
            (EXPLOITATION_KINDS, "exploitation"),
            (MEANS_KINDS, "coercion or vulnerability"),
        ):
            if not kinds & needed:
                raise IndicatorSetError(f"{file_name}: the delphi rule needs a {what} dimension")
    elif "dimensions" in data:
        raise IndicatorSetError(f"{file_name}: dimensions are only for delphi sets")

    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise IndicatorSetError(f"{file_name}: no items")
    items = tuple(_parse_item(raw, file_name, i, rule) for i, raw in enumerate(raw_items))
    _no_duplicates([i.id for i in items], file_name, "item")
    dimension_ids = {d.id for d in dimensions}
    for candidate in items:
        if rule == "delphi" and candidate.dimension not in dimension_ids:
            raise IndicatorSetError(
                f"{file_name}: item {candidate.id}: unknown dimension {candidate.dimension!r}"
            )

    refer_at = data.get("refer_at")
    gather_at = data.get("gather_at")
    if rule == "count":
        if not isinstance(refer_at, int) or not isinstance(gather_at, int):
            raise IndicatorSetError(f"{file_name}: a count set needs refer_at and gather_at")
        if not 1 <= gather_at <= refer_at <= len(items):
            raise IndicatorSetError(f"{file_name}: needs 1 <= gather_at <= refer_at <= number of items")
    elif refer_at is not None or gather_at is not None:
        raise IndicatorSetError(f"{file_name}: refer_at and gather_at are only for count sets")

    return IndicatorSet(
        code=data["code"],
        version=data["version"],
        rule=rule,
        applies_to=data["applies_to"],
        forms=tuple(forms),
        title=title,
        source=data["source"].strip(),
        licence=data["licence"].strip(),
        verified=data["verified"],
        verify_note=verify_note.strip() if isinstance(verify_note, str) else "",
        dimensions=dimensions,
        items=items,
        refer_at=refer_at,
        gather_at=gather_at,
        file_name=file_name,
    )


def _no_duplicates(ids: list[str], file_name: str, what: str) -> None:
    seen: set[str] = set()
    for each in ids:
        if each in seen:
            raise IndicatorSetError(f"{file_name}: duplicate {what} {each}")
        seen.add(each)


def _check_cross_references(sets: Mapping[tuple[str, str], IndicatorSet]) -> None:
    # ilo11 points into the ILO 11 set; check it whenever that set is in the same directory.
    ilo_ids = {i.id for s in sets.values() if s.code == "forced_labour" for i in s.items}
    if not ilo_ids:
        return
    for indicator_set in sets.values():
        for candidate in indicator_set.items:
            missing = set(candidate.ilo11) - ilo_ids
            if missing:
                raise IndicatorSetError(
                    f"{indicator_set.file_name}: item {candidate.id}: unknown ilo11 {sorted(missing)}"
                )


@functools.cache
def _load_directory(directory: Path) -> Mapping[tuple[str, str], IndicatorSet]:
    sets: dict[tuple[str, str], IndicatorSet] = {}
    for path in sorted(directory.glob("*.toml")):
        indicator_set = parse_set(path)
        sets[(indicator_set.code, indicator_set.version)] = indicator_set
    _check_cross_references(sets)
    return sets


def load_sets(directory: str | Path | None = None) -> dict[tuple[str, str], IndicatorSet]:
    """Every set in ``directory`` (default: the shipped ones), keyed by (code, version), validated.

    Parsed once per directory and cached; a bad file fails loudly here rather than mid-screening."""
    folder = Path(directory).resolve() if directory is not None else DEFAULT_DIRECTORY
    return dict(_load_directory(folder))


def clear_cache() -> None:
    _load_directory.cache_clear()


def get_set(code: str, version: str) -> IndicatorSet:
    try:
        return load_sets()[(code, version)]
    except KeyError:
        raise UnknownIndicatorSet(f"no indicator set {code}@{version}") from None


def latest(code: str) -> IndicatorSet:
    versions = [s for (c, _v), s in load_sets().items() if c == code]
    if not versions:
        raise UnknownIndicatorSet(f"no indicator set {code}")
    return max(versions, key=lambda s: s.version_key)


def available() -> list[IndicatorSet]:
    """The latest version of every set, ordered by code. Older versions stay loadable with ``get_set``."""
    return [latest(code) for code in sorted({c for c, _v in load_sets()})]


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
