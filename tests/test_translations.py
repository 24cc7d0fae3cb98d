"""Both translation catalogues are complete, not fuzzy, and compiled from their current text."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.utils import translation

LOCALE = Path(__file__).resolve().parent.parent / "locale"
CATALOGUES = ["zh_Hans", "en"]


def entries(po_path):
    """(flags, msgctxt, msgid, msgid_plural, [msgstr, ...]) for every entry but the header."""
    text = po_path.read_text(encoding="utf-8")
    found = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        flags = " ".join(line for line in lines if line.startswith("#,"))
        fields, current = {}, None
        for line in lines:
            if line.startswith("#"):
                continue
            match = re.match(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (\".*\")$", line)
            if match:
                current = match.group(1)
                fields[current] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and current:
                fields[current] += ast.literal_eval(line)
        if "msgid" not in fields:
            continue
        strs = [value for key, value in sorted(fields.items()) if key.startswith("msgstr")]
        found.append(
            (flags, fields.get("msgctxt"), fields["msgid"], fields.get("msgid_plural"), strs)
        )
    return found


@pytest.mark.parametrize("language", CATALOGUES)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    catalogue = entries(LOCALE / language / "LC_MESSAGES" / "django.po")
    assert len(catalogue) > 100
    header = [entry for entry in catalogue if entry[2] == ""]
    assert header and "fuzzy" not in header[0][0], "the header is fuzzy: msgfmt would skip it"
    empty = [msgid for _f, _c, msgid, _p, strs in catalogue if msgid and not all(strs)]
    fuzzy = [msgid for flags, _c, msgid, _p, _s in catalogue if msgid and "fuzzy" in flags]
    assert empty == [], f"untranslated in {language}"
    assert fuzzy == [], f"fuzzy in {language}"


@pytest.mark.parametrize("language", CATALOGUES)
def test_the_compiled_catalogue_matches_its_source(language):
    folder = LOCALE / language / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog
    for _flags, context, msgid, plural, strs in entries(folder / "django.po"):
        if not msgid:
            continue
        key = f"{context}\x04{msgid}" if context else msgid
        if plural:
            assert compiled.get((key, 0)) == strs[0], f"{msgid!r}: run make messages"
        else:
            assert compiled.get(key) == strs[0], f"{msgid!r}: run make messages"


def test_the_chinese_catalogue_is_real_chinese():
    with translation.override("zh-hans"):
        assert translation.gettext("Apply filters") == "应用筛选"
        assert translation.pgettext("home figure", "pilot regions") == "个试点地区"
    with translation.override("en"):
        assert translation.gettext("Apply filters") == "Apply filters"


def test_every_interface_string_of_the_code_is_in_the_catalogues(tmp_path, settings, monkeypatch):
    """makemessages, run on a copy of the catalogues, finds no message they lack.

    makemessages writes into the locale folder nearest to each source file, so it runs in a
    scratch folder that links to the sources and holds the copy; the real catalogues stay as
    they are. Needs GNU gettext, as `make messages` does.
    """
    import shutil

    from django.core.management import call_command

    root = LOCALE.parent
    shutil.copytree(LOCALE, tmp_path / "locale")
    for source in ("servtrade", "regions", "cases", "templates"):
        (tmp_path / source).symlink_to(root / source)
    monkeypatch.chdir(tmp_path)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    call_command("makemessages", locale=CATALOGUES, symlinks=True, no_obsolete=True, verbosity=0)
    for language in CATALOGUES:
        merged = entries(tmp_path / "locale" / language / "LC_MESSAGES" / "django.po")
        missing = [msgid for _flags, _c, msgid, _p, strs in merged if msgid and not all(strs)]
        assert missing == [], f"{language} lacks these: run make messages and translate them"
