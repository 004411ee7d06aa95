"""Every interface string is translated into Albanian, Serbian Latin and Serbian Cyrillic, keeps
its placeholders, and the compiled catalogues Django reads are the ones in the .po files."""

import ast
import gettext
import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ["sq", "sr_Latn", "sr"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]|%[sdf]|\{\w*\}|<[^>]+>")


def entries(language):
    """(msgid, msgstr or [plural msgstrs], fuzzy) for each entry but the header."""
    text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    found = []
    for block in text.split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        fields, current = {}, None
        for line in lines:
            if line.startswith("#"):
                continue
            match = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) (\".*\")$", line)
            if match:
                current = match.group(1)
                fields[current] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and current:
                fields[current] += ast.literal_eval(line)
        if fields.get("msgid"):
            plural = sorted(k for k in fields if k.startswith("msgstr["))
            found.append((fields["msgid"], [fields[k] for k in plural] if plural else fields.get("msgstr", ""),
                          fuzzy))
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_translated_and_none_is_a_guess(language):
    missing = [msgid for msgid, msgstr, _ in entries(language) if not msgstr or msgstr == [""] * len(msgstr)
               or (isinstance(msgstr, list) and not all(msgstr))]
    fuzzy = [msgid for msgid, _, is_fuzzy in entries(language) if is_fuzzy]
    assert (missing, fuzzy) == ([], [])


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders_of_the_english(language):
    wrong = []
    for msgid, msgstr, _ in entries(language):
        for text in msgstr if isinstance(msgstr, list) else [msgstr]:
            if sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(text)) and "%" in msgid + text:
                wrong.append((msgid, text))
    assert wrong == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_matches_the_po_file(language):
    with open(LOCALE / language / "LC_MESSAGES" / "django.mo", "rb") as f:
        compiled = gettext.GNUTranslations(f)
    stale = [msgid for msgid, msgstr, _ in entries(language)
             if isinstance(msgstr, str) and compiled.gettext(msgid) != msgstr]
    assert stale == [], "run: make messages"

