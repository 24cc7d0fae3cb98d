"""Content fields kept in Chinese and English, read in the page's language.

A model declares ``title_zh`` and ``title_en`` as ordinary fields and ``title = Bilingual()``.
``obj.title`` is then the text in the active language, or the other language's text when that one
is empty. The result is a ``LocalizedText``: a plain string that also knows which language it is in,
so templates can mark a fallback with ``lang=...`` and a visible hint.
"""

from django.utils.translation import get_language

LANGS = ("zh", "en")
# The language code HTML wants for each suffix, for lang="..." attributes.
HTML_LANG = {"zh": "zh-Hans", "en": "en"}


def active_suffix():
    """'en' for English pages, 'zh' for everything else (Chinese is the site's default)."""
    return "en" if (get_language() or "").startswith("en") else "zh"


class LocalizedText(str):
    """A string plus the language it is written in and whether it stands in for the other one."""

    lang: str
    is_fallback: bool

    def __new__(cls, value, lang, is_fallback):
        text = super().__new__(cls, value)
        text.lang = lang
        text.is_fallback = is_fallback
        return text

    def __getnewargs__(self):
        # Lets copy, deepcopy (form choices) and pickle (caches) rebuild it.
        return (str(self), self.lang, self.is_fallback)

    @property
    def html_lang(self):
        return HTML_LANG[self.lang]


class Bilingual:
    """Descriptor that reads ``<name>_zh`` or ``<name>_en`` by the active language."""

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        wanted = active_suffix()
        other = "en" if wanted == "zh" else "zh"
        value = getattr(obj, f"{self.name}_{wanted}")
        if value:
            return LocalizedText(value, wanted, is_fallback=False)
        value = getattr(obj, f"{self.name}_{other}")
        return LocalizedText(value or "", other, is_fallback=bool(value))


def both(obj, name, separator=" / "):
    """Both languages at once, Chinese first, for places that show a record to either reader."""
    parts = [getattr(obj, f"{name}_{lang}") for lang in LANGS]
    return separator.join(part for part in parts if part)
