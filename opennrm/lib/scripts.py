"""Serbian scripts: transliteration and the normalisation used for keyed (blind-index) lookups.

Transliteration comes from the maintained ``serbian-translit`` library because it gets ALL-CAPS
digraphs right (ЉУБИЦА -> LJUBICA, not LjUBICA) and knows the Latin words whose "nj"/"dž" are two
letters (injekcija). The folding below is ours: no library folds Serbian names to a single
comparable key (Cyrillic and Latin, with or without diacritics, any case).
"""

from __future__ import annotations

import functools
import re
import unicodedata

from serbian_translit.srp import to_cyr, to_lat

CYRILLIC_RE = re.compile(r"[\u0400-\u04FF]")
LATIN_RE = re.compile(r"[A-Za-z\u00C0-\u024F]")

# Latin diacritics folded for matching: a clerk typing "Petrovic" must find "Petrović".
_FOLD = str.maketrans({"đ": "dj", "ć": "c", "č": "c", "š": "s", "ž": "z"})


# serbian-translit leaves a quoted word as it is (it takes it for a foreign name), but our quotes hold
# Serbian words („да“), so each stretch between quote marks is transliterated on its own.
_QUOTES = re.compile(r"([\"'„“”‘’«»])")


def to_latin(text: str) -> str:
    return "".join(part if _QUOTES.fullmatch(part) else to_lat(part) for part in _QUOTES.split(text))


def to_cyrillic(text: str) -> str:
    return to_cyr(text)


def has_cyrillic(text: str) -> bool:
    return bool(CYRILLIC_RE.search(text))


def has_latin(text: str) -> bool:
    return bool(LATIN_RE.search(text))


def fold(text: str) -> str:
    """One comparable key for a name in any script: Latin, lower case, diacritics folded, spaces collapsed."""
    latin = to_lat(text).lower().translate(_FOLD)
    decomposed = unicodedata.normalize("NFKD", latin)
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^a-z0-9 \-']", " ", ascii_only).split())


def name_tokens(text: str) -> list[str]:
    """Folded tokens of a name, for exact-match lookup of any single given or family name."""
    return [t for t in re.split(r"[\s\-']+", fold(text)) if t]


def in_active_script(text: str) -> str:
    """Serbian text (organisation names, places) in the script of the active language: Cyrillic for
    "sr", Latin otherwise. Codes and text with digits stay as written."""
    from django.utils.translation import get_language

    return _in_script("" if text is None else str(text), (get_language() or "sr") == "sr")


# A page shows the same few hundred organisation and place names again and again, and the library takes
# ~0.2 ms for each: the display forms are kept. Only ``in_active_script`` uses this (organisation names,
# places, never identities), so no personal data stays in the process's memory.
@functools.lru_cache(maxsize=8192)
def _in_script(text: str, cyrillic: bool) -> str:
    if cyrillic:
        latin_only = has_latin(text) and not has_cyrillic(text) and not any(ch.isdigit() for ch in text)
        return to_cyrillic(text) if latin_only else text
    return to_latin(text)
