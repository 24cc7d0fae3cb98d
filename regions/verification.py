"""What an "unverified" mark means, in words a reader can act on.

The fixture build (fixtures.build.Flags) writes one line "Unconfirmed: <fact>" into a record's
verification note for each fact the research could not confirm. The public pages show, for each
such line, which fact it is and which kind of source would confirm it, in the page's language.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

UNCONFIRMED_PREFIX = "Unconfirmed: "
CIVIL_AFFAIRS_CODES = _("the Ministry of Civil Affairs' list of administrative division codes")
APPROVAL = _("the State Council's approval document")
BATCH_NOTICE = _("the ministry's notice releasing the batch")
EBOPS = _("the UN's EBOPS 2010 classification (MSITS 2010)")

# The fact as the note names it (up to its first "(" or ":") -> (the fact, what would confirm it).
FACTS = {
    "the EBOPS code": (_("its EBOPS 2010 code"), EBOPS),
    "the Chinese name": (_("its Chinese name"), _("the ministry's or SAFE's published statistics")),
    "the English name": (_("its English name"), EBOPS),
    "the province's code": (_("its GB/T 2260 code"), CIVIL_AFFAIRS_CODES),
    "the GB/T 2260 code": (_("its GB/T 2260 code"), CIVIL_AFFAIRS_CODES),
    "the kind of region": (
        _("its kind of region"),
        _("the Ministry of Civil Affairs' list of administrative divisions"),
    ),
    "the seat's coordinates": (
        _("the coordinates of its seat (not shown on this site)"),
        _("an official map or gazetteer"),
    ),
    "the approval date": (_("the approval date"), APPROVAL),
    "the approval document number": (_("the approval document's number"), APPROVAL),
    "member list": (_("part of its list of member regions"), APPROVAL),
    "this membership": (_("this region's membership"), APPROVAL),
    "the official number of cases": (_("the official number of cases"), BATCH_NOTICE),
    "the release date": (_("the release date"), BATCH_NOTICE),
    "this case's attribution and title": (
        _("its lead region and title"),
        _("the ministry's list of the batch's cases"),
    ),
}


@dataclass(frozen=True)
class Unconfirmed:
    fact: str
    confirmed_by: str


def unconfirmed_facts(record):
    """[Unconfirmed(fact, confirmed_by)] of a Verifiable record, from its verification note.

    A note line this module does not know is shown as written (the note is in English), with
    "a primary source" as what would confirm it: never dropped.
    """
    found = []
    for line in (record.verification_note or "").splitlines():
        if not line.startswith(UNCONFIRMED_PREFIX):
            continue
        written = line.removeprefix(UNCONFIRMED_PREFIX)
        key = written.split(" (")[0].split(":")[0].strip()
        fact, confirmed_by = FACTS.get(key, (written, _("a primary source")))
        found.append(Unconfirmed(fact, confirmed_by))
    return found
