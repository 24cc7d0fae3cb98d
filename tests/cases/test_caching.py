"""Cached counts follow every write to the catalogue, whichever way it is made."""

import datetime
import threading
import time
import uuid
from contextlib import contextmanager

import pytest
from django.core import serializers
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import translation

from cases.models import Adoption, Case, CaseBatch, CatalogueVersion, ServiceSector, Theme
from regions.models import Membership, PilotProgram, Region
from servtrade import caching
from tests.budgets import CASE_LIST_QUERIES
from tests.factories import (
    AdoptionFactory,
    CaseBatchFactory,
    CaseFactory,
    MembershipFactory,
    RegionFactory,
    ServiceSectorFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """One published case with a region (a pilot member) and a sector, and spares to add."""
    MembershipFactory(region=RegionFactory(slug="guangzhou"))
    case = CaseFactory(
        theme=ThemeFactory(slug="opening"),
        lead_regions=[RegionFactory(slug="guangzhou")],
        sectors=[ServiceSectorFactory(code="SG")],
    )
    return {"case": case, "region": RegionFactory(), "sector": ServiceSectorFactory(code="SK")}


def new_case(world):
    CaseFactory(batch=world["case"].batch, theme=world["case"].theme)


def bulk_create(world, status=Case.Status.PUBLISHED):
    case = world["case"]
    Case.objects.bulk_create(
        [
            Case(
                slug="bulk",
                title_en="Bulk",
                batch=case.batch,
                theme=case.theme,
                status=status,
                published_on=case.published_on,
            )
        ]
    )


def imported(world):
    """What an import (loaddata, django-import-export) does: deserialize and save."""
    data = serializers.serialize("json", [world["case"]])
    for obj in serializers.deserialize("json", data):
        obj.object.pk, obj.object.slug = None, "imported"
        obj.save()


def raw_sql(world):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_case SET title_en = 'Raw' WHERE id = %s", [world["case"].pk])


WRITES = {
    "save of a new case": new_case,
    "save of a case": lambda w: w["case"].save(),
    "QuerySet.update": lambda w: Case.objects.update(status=Case.Status.DRAFT),
    "bulk_create": bulk_create,
    "publishing a draft": lambda w: Case.objects.filter(pk=a_draft(w).pk).update(
        status=Case.Status.PUBLISHED
    ),
    "a published case sent back to review": lambda w: Case.objects.update(status="in-review"),
    "an import": imported,
    "raw SQL": raw_sql,
    "delete of a case": lambda w: w["case"].delete(),
    "QuerySet.delete": lambda w: Case.objects.all().delete(),
    "adding a region": lambda w: w["case"].lead_regions.add(w["region"]),
    "removing a region": lambda w: w["case"].lead_regions.clear(),
    "adding a sector": lambda w: w["case"].sectors.add(w["sector"]),
    "removing a sector": lambda w: w["case"].sectors.remove(*w["case"].sectors.all()),
    "renaming a theme": lambda w: Theme.objects.update(name_en="Renamed"),
    "renaming a sector": lambda w: ServiceSector.objects.update(name_en="Renamed"),
    "renaming a region": lambda w: Region.objects.update(name_en="Renamed"),
    "editing a batch": lambda w: CaseBatch.objects.update(number=9),
    "editing a program": lambda w: PilotProgram.objects.update(name_en="Renamed"),
    "a new membership": lambda w: MembershipFactory(region=w["region"]),
    "ending a membership": lambda w: Membership.objects.all().delete(),
    "a new adoption": lambda w: AdoptionFactory(case=w["case"], region=w["region"]),
}


def a_draft(world):
    """A new draft in the world's batch and theme (a new batch or theme would change it)."""
    case = world["case"]
    return CaseFactory(status=Case.Status.DRAFT, batch=case.batch, theme=case.theme)


def imported_drafts(world):
    """What the admin's import does: new cases saved as drafts, with their links."""
    for n in range(2):
        case = Case(slug=f"imported-{n}", title_en="Imported", batch=world["case"].batch)
        case.save()
        case.lead_regions.add(world["region"])
        case.sectors.add(world["sector"])


DRAFT_WRITES = {
    "save of a new draft": a_draft,
    "an import of drafts": imported_drafts,
    "bulk_create of a draft": lambda w: bulk_create(w, status=Case.Status.DRAFT),
    "edit of a draft": lambda w: Case.objects.filter(pk=a_draft(w).pk).update(title_en="New"),
    "sent to review": lambda w: Case.objects.filter(pk=a_draft(w).pk).update(status="in-review"),
    "a draft's region added": lambda w: a_draft(w).lead_regions.add(w["region"]),
    "a draft's sector removed": lambda w: a_draft(w).sectors.clear(),
    "an adoption of a draft": lambda w: AdoptionFactory(case=a_draft(w), region=w["region"]),
    "delete of a draft": lambda w: a_draft(w).delete(),
}


@pytest.mark.parametrize("write", DRAFT_WRITES.values(), ids=DRAFT_WRITES.keys())
def test_a_write_to_drafts_alone_keeps_the_catalogue_version(world, write):
    """The public sees no draft: its import or edit must not make every count be computed
    again (bench/load.py: an import beside visitors)."""
    before = CatalogueVersion.objects.current()
    write(world)
    assert CatalogueVersion.objects.current() == before


@pytest.mark.parametrize("write", ["publish", "unpublish", "delete"])
def test_every_change_of_an_adoption_gives_a_new_version(world, write):
    AdoptionFactory(case=world["case"], region=world["region"], status=Adoption.Status.IN_REVIEW)
    before = CatalogueVersion.objects.current()
    getattr(Adoption.objects.all(), write)()
    assert CatalogueVersion.objects.current() != before


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_every_write_to_the_catalogue_gives_it_a_new_version(world, write):
    before = CatalogueVersion.objects.current()
    write(world)
    after = CatalogueVersion.objects.current()
    assert after is not None and after != before


def test_the_version_is_read_as_the_orm_reads_it(world):
    """state() reads by a statement of its own; it must give what the model's fields give
    (an aware changed_at on SQLite too, where the column is text)."""
    new_case(world)
    row = CatalogueVersion.objects.values_list("token", "changed_at").get(pk=1)
    assert CatalogueVersion.objects.state() == row
    assert row[1].tzinfo is not None
    assert CatalogueVersion.objects.current() == row[0]


def test_reading_the_catalogue_keeps_its_version(world, client):
    before = CatalogueVersion.objects.current()
    client.get(list_url())
    client.get(reverse("home"))
    assert CatalogueVersion.objects.current() == before


def list_url(query=""):
    with translation.override("en"):
        return reverse("cases:case-list") + (f"?{query}" if query else "")


def facet_counts(response, name):
    facet = next(facet for facet in response.context["facets"] if facet.name == name)
    return {option.key: option.count for option in facet.options}


def test_cached_counts_follow_an_update_of_many_cases(world, client):
    CaseFactory.create_batch(2, batch=world["case"].batch, theme=world["case"].theme)
    assert facet_counts(client.get(list_url()), "theme") == {"opening": 3}
    Case.objects.filter(pk=world["case"].pk).update(status=Case.Status.DRAFT)
    response = client.get(list_url())
    assert facet_counts(response, "theme") == {"opening": 2}
    assert "2 published cases match." in response.text


def test_cached_counts_follow_a_region_added_to_a_case(world, client):
    assert world["region"].slug not in facet_counts(client.get(list_url()), "region")
    world["case"].lead_regions.add(world["region"])
    assert facet_counts(client.get(list_url()), "region")[world["region"].slug] == 1


def test_the_home_figures_follow_a_new_batch(world, client):
    with translation.override("en"):
        home = reverse("home")
    assert client.get(home).context["batch_count"] == 1
    CaseBatchFactory(published_on=datetime.date(2024, 1, 1), title_en="Newest batch")
    response = client.get(home)
    assert response.context["batch_count"] == 2
    assert "Newest batch" in response.text


def test_without_a_version_row_pages_are_computed_and_a_write_brings_it_back(
    world, client, django_assert_max_num_queries
):
    CatalogueVersion.objects.all().delete()
    assert CatalogueVersion.objects.current() is None
    client.get(list_url())
    with django_assert_max_num_queries(CASE_LIST_QUERIES):  # computed again, nothing cached
        response = client.get(list_url())
    assert facet_counts(response, "theme") == {"opening": 1}
    new_case(world)
    assert CatalogueVersion.objects.current() is not None
    assert facet_counts(client.get(list_url()), "theme") == {"opening": 2}


def test_an_entry_another_process_is_computing_is_waited_for_not_computed_again():
    """After a write many requests need the same counts at once: one computes them."""
    version, parts, calls = uuid.uuid4().hex, ("shared counts",), []
    started = threading.Event()

    def slow():
        calls.append("first")
        started.set()
        time.sleep(0.5)
        return {"SG": 1}

    first = threading.Thread(target=caching.cached, args=(version, parts, slow))
    first.start()
    started.wait(5)
    assert caching.cached(version, parts, lambda: calls.append("second")) == {"SG": 1}
    first.join()
    assert calls == ["first"]


@contextmanager
def computing_elsewhere(version, parts):
    """Another thread (as another process would) computing the entry and not finishing until
    the block ends."""
    started, release = threading.Event(), threading.Event()

    def stuck():
        started.set()
        release.wait(10)
        return {"SG": 1}

    first = threading.Thread(target=caching.cached, args=(version, parts, stuck))
    first.start()
    started.wait(5)
    try:
        yield
    finally:
        release.set()
        first.join()


def test_a_computation_that_does_not_finish_is_waited_for_only_so_long(monkeypatch):
    monkeypatch.setattr(caching, "WAIT_SECONDS", 0.3)
    version, parts = uuid.uuid4().hex, ("stuck counts",)
    with computing_elsewhere(version, parts):
        began = time.monotonic()
        assert caching.cached(version, parts, lambda: {"SG": 2}) == {"SG": 2}
        assert 0.3 <= time.monotonic() - began < 3


def test_a_computation_whose_mark_the_cache_lost_is_not_waited_for(monkeypatch):
    """Redis stopping while a page waits for another process's entry takes the computing mark
    with it (the stand-in has neither): the page computes the entry instead of waiting."""
    monkeypatch.setattr(caching, "WAIT_SECONDS", 5)
    version, parts = uuid.uuid4().hex, ("lost counts",)
    with computing_elsewhere(version, parts):
        threading.Timer(0.3, cache.clear).start()  # the cache loses everything meanwhile
        began = time.monotonic()
        assert caching.cached(version, parts, lambda: {"SG": 2}) == {"SG": 2}
        assert 0.3 <= time.monotonic() - began < 2


def test_a_new_versions_entry_is_computed_in_the_background_while_the_last_stands_in(settings):
    """After a write nobody waits for an entry that takes seconds: the previous version's is
    served (and the request knows it is stale) while one thread computes the new one."""
    settings.COUNTING_IN_BACKGROUND = True
    parts, release = ("figures", uuid.uuid4().hex), threading.Event()
    caching.begin_request()
    assert caching.cached(uuid.uuid4().hex, parts, lambda: {"cases": 1}) == {"cases": 1}
    assert not caching.served_stale()

    def slow():
        release.wait(10)
        return {"cases": 2}

    new_version, began = uuid.uuid4().hex, time.monotonic()
    assert caching.cached(new_version, parts, slow) == {"cases": 1}
    assert caching.served_stale() and time.monotonic() - began < 5
    release.set()
    deadline = time.monotonic() + 10
    while True:
        caching.begin_request()
        value = caching.cached(new_version, parts, lambda: {"computed": "again"})
        if not caching.served_stale():
            break
        assert value == {"cases": 1} and time.monotonic() < deadline
        time.sleep(0.02)
    assert value == {"cases": 2}


def test_without_a_previous_entry_the_first_request_computes_it(settings):
    settings.COUNTING_IN_BACKGROUND = True
    caching.begin_request()
    assert caching.cached(uuid.uuid4().hex, ("first", uuid.uuid4().hex), lambda: 7) == 7
    assert not caching.served_stale()


def test_an_entry_made_from_stale_entries_is_not_kept_as_the_new_versions(settings):
    """Computed while its inputs were the previous version's (the bitmaps standing in), it would
    stay wrong for the whole version: it is used once, and computed again next time."""
    version, parts, calls = uuid.uuid4().hex, ("derived", uuid.uuid4().hex), []

    def from_stale_inputs():
        calls.append(1)
        caching.mark_stale()
        return len(calls)

    caching.begin_request()
    assert caching.cached(version, parts, from_stale_inputs) == 1
    assert caching.served_stale()
    caching.begin_request()
    assert caching.cached(version, parts, from_stale_inputs) == 2


def test_an_entry_that_needs_its_own_version_never_stands_in(settings):
    settings.COUNTING_IN_BACKGROUND = True
    parts = ("positions", uuid.uuid4().hex)
    caching.cached(uuid.uuid4().hex, parts, lambda: 1, stale_ok=False)
    caching.begin_request()
    assert caching.cached(uuid.uuid4().hex, parts, lambda: 2, stale_ok=False) == 2
    assert not caching.served_stale()


def test_when_the_cache_loses_its_entries_this_process_remembers_the_last_ones(settings):
    """Redis stopped: its stand-in (servtrade.cache_backends) starts empty, and without this
    every page of every worker would compute every entry at once."""
    settings.COUNTING_IN_BACKGROUND = True
    parts, release = ("region counts", uuid.uuid4().hex), threading.Event()
    assert caching.cached(uuid.uuid4().hex, parts, lambda: {"guangzhou": 3}) == {"guangzhou": 3}
    cache.clear()

    def slow():
        release.wait(10)
        return {"guangzhou": 4}

    caching.begin_request()
    began = time.monotonic()
    assert caching.cached(uuid.uuid4().hex, parts, slow) == {"guangzhou": 3}
    assert caching.served_stale() and time.monotonic() - began < 5
    release.set()


def test_background_work_runs_in_one_thread_in_order_on_one_connection_and_outlives_a_failure(
    monkeypatch,
):
    """Each refresh in a thread of its own opened a database connection of its own (on
    PostgreSQL a server process to start): one thread now takes them in turn (the bitmaps
    first), on one connection while work is queued, and a call that fails does not stop the
    next."""
    # Connections kept between calls, as the site's settings say (the suite's close them).
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)
    gate, done, seen = threading.Event(), threading.Event(), []

    def note(name):
        connection.ensure_connection()
        seen.append((name, threading.current_thread().name, id(connection.connection)))

    def fail():
        raise RuntimeError("a computation that fails")

    caching.in_background(gate.wait, 10)  # holds the thread until everything is queued
    for call in [(note, "first"), (fail,), (note, "second"), (done.set,)]:
        caching.in_background(*call)
    caching.in_background(note, "bitmaps", first=True)  # what the others read goes first
    gate.set()
    assert done.wait(10)
    assert [name for name, _thread, _connection in seen] == ["bitmaps", "first", "second"]
    (thread,), (_connected,) = {t for _, t, _ in seen}, {c for _, _, c in seen}
    assert thread == "servtrade-background"


def test_a_page_with_nothing_to_show_computes_an_entry_queued_in_the_background(
    settings, monkeypatch
):
    """A process whose cache lost the previous entry (Redis stopped, its stand-in empty) does
    not wait for an entry that another process has queued behind its background work: under
    bench/load.py a region page waited 10 s so."""
    settings.COUNTING_IN_BACKGROUND = True
    monkeypatch.setattr(caching, "WAIT_SECONDS", 5)
    parts, gate = ("region map", uuid.uuid4().hex), threading.Event()
    caching.cached(uuid.uuid4().hex, parts, lambda: "old map")
    caching.in_background(gate.wait, 10)  # the background thread is busy
    try:
        new_version = uuid.uuid4().hex
        assert caching.cached(new_version, parts, lambda: "new map") == "old map"  # queued
        # Another process: neither the cache nor its memory has the previous entry.
        cache.delete(f"servtrade:latest:{caching.digest_of(parts)}")
        caching.forget()
        began = time.monotonic()
        assert caching.cached(new_version, parts, lambda: "new map") == "new map"
        assert time.monotonic() - began < 2
    finally:
        gate.set()
