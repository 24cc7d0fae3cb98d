"""How a case is cited: GB/T 7714-2015 and APA 7 in Chinese and English, RIS, BibTeX, Highwire.

Every format reads one ``Reference``: what the ministry published (its issuing body, the release
date of the batch, the batch's title) and where the reader found it (servtrade's permalink and
the day of access). servtrade's own publication date is never cited: a reader cites the
ministry's release. An issuing body or a date that is not known is left out as each style says
(the title leads; "n.d."), never guessed.

A citation's language is the language it is written in, not the page's: both are on every page.
So the fixed words of each style are written here for each language, not translated by gettext.
"""

import datetime
import re
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join

from servtrade.bilingual import HTML_LANG, LANGS

# Month names for APA's "(2023, November 1)"; English only, so not left to the locale.
MONTHS = [datetime.date(2000, month, 1).strftime("%B") for month in range(1, 13)]
# The publisher every web citation names: the site the reader found the case on.
SITE_NAME = "servtrade"


@dataclass(frozen=True)
class Reference:
    """What a citation of a case says, in one language."""

    lang: str
    title: str
    # The title is ours, describing the case; the official one is not known (cited in [brackets]).
    title_is_description: bool
    issuer: str
    released_on: datetime.date | None
    batch_title: str
    document_no: str
    url: str
    accessed_on: datetime.date
    keywords: tuple[str, ...]
    abstract: str

    @classmethod
    def of(cls, case, lang, url, accessed_on):
        """The reference of a published case (batch and program loaded) in ``lang``."""
        batch = case.batch
        keywords = [in_language(sector, "name", lang) for sector in case.sectors.all()]
        if case.theme:
            keywords.insert(0, in_language(case.theme, "name", lang))
        return cls(
            lang=lang,
            title=in_language(case, "title", lang),
            title_is_description=case.title_is_descriptive_in(lang),
            issuer=in_language(batch, "issuer", lang),
            released_on=batch.published_on,
            batch_title=in_language(batch, "title", lang),
            document_no=batch.document_no,
            url=url,
            accessed_on=accessed_on,
            keywords=tuple(keyword for keyword in keywords if keyword),
            abstract=in_language(case, "summary", lang),
        )

    @property
    def html_lang(self):
        return HTML_LANG[self.lang]

    @property
    def cited_title(self):
        """The title, in square brackets when it only describes the case (APA 7, GB/T 7714)."""
        return f"[{self.title}]" if self.title_is_description else self.title


def in_language(obj, field, lang):
    """``obj.<field>_<lang>``, else the other language's: a citation never has a blank title."""
    other = "en" if lang == "zh" else "zh"
    return getattr(obj, f"{field}_{lang}") or getattr(obj, f"{field}_{other}")


def terminated(text):
    """``text`` ending in a full stop, unless it already ends in punctuation."""
    return text if re.search(r"[.!?。！？]$", text) else f"{text}."


# Each style returns segments, (text, italic), so that a page can set italics and a copy or
# a download gets plain text.


def gbt7714(ref):
    """GB/T 7714-2015, an electronic contribution ("//" the batch) to a numbered list.

    ``主要责任者. 题名[EB/OL]//批次题名. (发布日期)[引用日期]. 访问路径.`` Without an issuing body
    the title leads, as the standard allows for numbered references.
    """
    parts = []
    if ref.issuer:
        parts.append(f"{terminated(ref.issuer)} ")
    parts.append(f"{ref.cited_title}[EB/OL]//{terminated(ref.batch_title)} ")
    if ref.released_on:
        parts.append(f"({ref.released_on.isoformat()})")
    parts.append(f"[{ref.accessed_on.isoformat()}]. {ref.url}.")
    return [("".join(parts), False)]


def apa7(ref):
    """APA 7, a web page that is part of a larger work, with a retrieval date.

    en: ``Issuer. (2023, November 1). *Title*. In *Batch*. servtrade. Retrieved <date>, from <url>``
    zh: ``发布机构. (2023年11月1日). 题名. 载于批次. servtrade. 检索于<日期>, 取自 <url>``
    Without an issuing body the title takes the author's place, as APA does for anonymous works.
    """
    english = ref.lang == "en"
    if ref.released_on:
        date = long_date(ref.released_on, english, apa=True)
    else:
        date = "n.d." if english else "日期不详"
    # Chinese titles are not set in italics (slanted CJK reads badly; Chinese APA leaves them).
    title = (terminated(ref.cited_title), english)
    if ref.issuer:
        segments = [(f"{terminated(ref.issuer)} ({date}). ", False), title]
    else:
        segments = [title, (f" ({date}).", False)]
    accessed = long_date(ref.accessed_on, english)
    segments += [
        (" In " if english else " 载于", False),
        (ref.batch_title, english),
        (f". {SITE_NAME}. ", False),
        (
            f"Retrieved {accessed}, from {ref.url}"
            if english
            else f"检索于{accessed}, 取自 {ref.url}",
            False,
        ),
    ]
    return segments


def long_date(day, english, apa=False):
    if english:
        month_day = f"{MONTHS[day.month - 1]} {day.day}"
        return f"{day.year}, {month_day}" if apa else f"{month_day}, {day.year}"
    return f"{day.year}年{day.month}月{day.day}日"


STYLES = {"gbt7714": ("GB/T 7714-2015", gbt7714), "apa7": ("APA 7", apa7)}


def as_text(segments):
    return "".join(text for text, _italic in segments)


def as_html(segments):
    return format_html_join(
        "",
        "{}",
        ((format_html("<i>{}</i>", text) if italic else text,) for text, italic in segments),
    )


def citations(case, url_of, accessed_on):
    """Every style in both languages, Chinese first: for the case page's "Cite this case".

    ``url_of(lang)`` is the case's permalink in that language (a reader of an English citation
    lands on the English page).
    """
    rows = []
    for key, (name, style) in STYLES.items():
        for lang in LANGS:
            ref = Reference.of(case, lang, url_of(lang), accessed_on)
            segments = style(ref)
            rows.append(
                {
                    "id": f"cite-{key}-{lang}",
                    "style": name,
                    "lang": lang,
                    "html_lang": ref.html_lang,
                    "html": as_html(segments),
                    "text": as_text(segments),
                }
            )
    return rows


# Reference-manager files. One file is one language; each language's page offers its own.


def ris(ref):
    """A RIS record (Zotero, EndNote, Mendeley): an electronic source in a larger work."""
    lines = [("TY", "ELEC"), ("TI", ref.cited_title)]
    if ref.issuer:
        lines.append(("AU", ref.issuer))
    lines += [("T2", ref.batch_title), ("PB", SITE_NAME)]
    if ref.released_on:
        lines += [("PY", str(ref.released_on.year)), ("DA", ref.released_on.strftime("%Y/%m/%d"))]
    if ref.document_no:
        lines.append(("M1", ref.document_no))
    lines += [("KW", keyword) for keyword in ref.keywords]
    if ref.abstract:
        lines.append(("AB", ref.abstract))
    lines += [
        ("UR", ref.url),
        ("Y2", ref.accessed_on.strftime("%Y/%m/%d")),
        ("LA", ref.html_lang),
        ("ER", ""),
    ]
    # A tag, two spaces, a hyphen and a space; a value is one line, so line breaks go.
    return "".join(f"{tag}  - {one_line(value)}".rstrip() + "\r\n" for tag, value in lines)


def bibtex(ref, key):
    """A BibTeX ``@misc`` entry with the biblatex fields (``url``, ``urldate``) beside it."""
    fields = [("title", braced(ref.cited_title))]
    if ref.issuer:
        # Double braces: an institution, never split into first and last names.
        fields.append(("author", "{" + braced(ref.issuer) + "}"))
    if ref.released_on:
        fields += [("year", str(ref.released_on.year)), ("date", ref.released_on.isoformat())]
    fields += [
        ("howpublished", braced(ref.batch_title)),
        ("organization", SITE_NAME),
        ("url", ref.url),
        ("urldate", ref.accessed_on.isoformat()),
        ("language", "chinese" if ref.lang == "zh" else "english"),
    ]
    if ref.document_no:
        fields.append(("number", braced(ref.document_no)))
    if ref.keywords:
        fields.append(("keywords", braced(", ".join(ref.keywords))))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{key},\n{body}\n}}\n"


# Characters that mean something to TeX, each with what prints it.
TEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def braced(text):
    """``text`` safe inside a BibTeX value: TeX's special characters escaped, one line."""
    return "".join(TEX_ESCAPES.get(char, char) for char in one_line(text))


def one_line(text):
    return " ".join(str(text).split())


def highwire_tags(ref):
    """Highwire Press ``citation_*`` meta tags, which Zotero and Google Scholar read.

    [(name, content)]; the ministry's document as a report, its issuing body as the institution.
    """
    tags = [("citation_title", ref.cited_title)]
    if ref.issuer:
        tags += [
            ("citation_author", ref.issuer),
            ("citation_technical_report_institution", ref.issuer),
        ]
    if ref.released_on:
        tags.append(("citation_publication_date", ref.released_on.strftime("%Y/%m/%d")))
    if ref.document_no:
        tags.append(("citation_technical_report_number", ref.document_no))
    tags += [
        ("citation_inbook_title", ref.batch_title),
        ("citation_publisher", SITE_NAME),
        ("citation_language", ref.html_lang),
        ("citation_public_url", ref.url),
        ("citation_abstract_html_url", ref.url),
    ]
    if ref.keywords:
        tags.append(("citation_keywords", "; ".join(ref.keywords)))
    if ref.abstract:
        tags.append(("citation_abstract", one_line(ref.abstract)))
    return tags
