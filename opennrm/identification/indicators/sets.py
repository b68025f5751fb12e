"""Indicator sets: the versioned data files, their texts in each language, loading and validation."""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from django.utils import translation

from opennrm.lib.scripts import has_cyrillic, to_latin

DEFAULT_DIRECTORY = Path(__file__).resolve().parents[1] / "indicator_sets"

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
