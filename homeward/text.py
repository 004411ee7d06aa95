"""Name folding for search across Albanian, Serbian Latin, Serbian Cyrillic and plain ASCII.

The same family is written Krasniqi (Albanian), Krasnići (Serbian Latin), Краснићи (Serbian
Cyrillic) and Krasnici (ASCII). `fold` maps all of them to one comparison key, `krasnici`.
Names are always stored as entered; only the folded form is used to compare.
"""

import re
import unicodedata

# Serbian Cyrillic to Serbian Latin (Vuk's alphabet: one letter each, three digraphs).
CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "ђ": "đ", "е": "e", "ж": "ž", "з": "z",
    "и": "i", "ј": "j", "к": "k", "л": "l", "љ": "lj", "м": "m", "н": "n", "њ": "nj", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "ћ": "ć", "у": "u", "ф": "f", "х": "h", "ц": "c",
    "ч": "č", "џ": "dž", "ш": "š",
    # Letters from neighbouring Cyrillic alphabets that turn up in documents.
    "й": "j", "ы": "i", "э": "e", "ю": "ju", "я": "ja", "ё": "jo", "щ": "šč", "ъ": "", "ь": "",
    "ѓ": "đ", "ќ": "ć", "ѕ": "dz", "і": "i", "ї": "ji", "є": "je",
}
_CYRILLIC_TABLE = str.maketrans({**CYRILLIC, **{k.upper(): v.capitalize() for k, v in CYRILLIC.items()}})

# After transliteration and diacritic stripping, Albanian digraphs and ASCII spellings are
# folded onto the Serbian Latin letter they stand for, written as one ASCII key. Order matters:
# longer sequences first (xh before x, dzh before zh).
_FOLDS = [
    ("xh", "dz"),  # Albanian xh = Serbian dž
    ("x", "dz"),   # Albanian x = dz
    ("gj", "dj"),  # Albanian gj = Serbian đ (written dj in ASCII)
    ("zh", "z"),   # Albanian zh = Serbian ž; also catches ASCII "dzh"
    ("sh", "s"),   # Albanian sh = Serbian š
    ("ch", "c"),   # ASCII č
    ("dh", "d"),   # Albanian dh, written d in Serbian
    ("th", "t"),   # Albanian th, written t in Serbian
    ("q", "c"),    # Albanian q = Serbian ć
    ("y", "i"),    # Albanian y, written i in Serbian
    ("w", "v"),
]
_DOUBLE = re.compile(r"([a-z])\1+")  # Albanian ll/rr and doubled letters from typing
_NON_KEY = re.compile(r"[^a-z0-9]+")


def to_latin(text):
    """Serbian Cyrillic to Serbian Latin; other characters unchanged."""
    return (text or "").translate(_CYRILLIC_TABLE)


def strip_diacritics(text):
    text = text.replace("đ", "dj").replace("Đ", "Dj").replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold_word(word):
    # A pass can make a new pair to fold, always one ending in "h" ("qh" → "ch", "chh" → "ch"):
    # fold again until nothing changes, so that a key folds to itself.
    while True:
        folded = word
        for old, new in _FOLDS:
            folded = folded.replace(old, new)
        folded = _DOUBLE.sub(r"\1", folded)
        if folded == word or "h" not in folded:
            return folded
        word = folded


def fold_tokens(text):
    """The folded words of `text`, in order. Punctuation and spaces separate words."""
    # Case first, through the capitals: a few lower-case letters (Turkish ı, old Cyrillic forms)
    # are known to the tables only by their capitals, and a name must fold as it does in capitals.
    plain = strip_diacritics(to_latin(text.upper().casefold())).lower()
    return [fold_word(w) for w in _NON_KEY.split(plain) if w]


def fold(text):
    """One comparison key for a name in any script or spelling: Krasniqi → krasnici."""
    return " ".join(fold_tokens(text))


def plain(text):
    """Lower-case ASCII without folding digraphs: for exact place-name look-ups (Klinë → kline)."""
    return " ".join(w for w in _NON_KEY.split(strip_diacritics(to_latin(text)).lower()) if w)


_LATIN_DIGRAPHS = {"lj": "љ", "nj": "њ", "dž": "џ", "Lj": "Љ", "Nj": "Њ", "Dž": "Џ", "LJ": "Љ", "NJ": "Њ", "DŽ": "Џ"}
_LATIN_LETTERS = {v: k for k, v in CYRILLIC.items() if len(v) == 1 and k in "абвгдђежзијклмнопрстћуфхцчш"}
_LATIN_LETTERS.update({k.upper(): v.upper() for k, v in _LATIN_LETTERS.items()})


def to_cyrillic(text):
    """Serbian Latin to Serbian Cyrillic, for labels shown in the Cyrillic interface."""
    out, i = [], 0
    while i < len(text):
        pair = text[i : i + 2]
        if pair in _LATIN_DIGRAPHS:
            out.append(_LATIN_DIGRAPHS[pair])
            i += 2
            continue
        out.append(_LATIN_LETTERS.get(text[i], text[i]))
        i += 1
    return "".join(out)
