"""Dumping with natural keys and loading again gives the same records on any database."""

import json

import pytest
from django.core.management import call_command

from cases.models import Case, CaseBatch, ServiceSector, Theme
from regions.models import Membership, PilotProgram, Region
from tests.factories import CaseFactory, MembershipFactory, ServiceSectorFactory

pytestmark = pytest.mark.django_db(transaction=True)

MODELS = [Region, PilotProgram, Membership, Theme, ServiceSector, CaseBatch, Case]
# The catalogue's models, not whole apps: history records are not fixture data.
LABELS = [model._meta.label_lower for model in MODELS]


def snapshot():
    """Every record by natural key, with its fields and its relations' natural keys."""
    dumped = json.loads(call_command_output("dumpdata", *LABELS))
    for record in dumped:
        record.pop("pk", None)
        record["fields"].pop("created_at", None)
        record["fields"].pop("updated_at", None)
    return sorted(dumped, key=lambda record: json.dumps(record, sort_keys=True))


def call_command_output(*args):
    from io import StringIO

    out = StringIO()
    call_command(*args, natural_foreign=True, natural_primary=True, stdout=out)
    return out.getvalue()


def build_world():
    membership = MembershipFactory()
    case = CaseFactory(lead_regions=[membership.region], sectors=[ServiceSectorFactory()])
    return case


def test_a_dump_loads_back_into_an_empty_database_unchanged(tmp_path):
    build_world()
    before = snapshot()
    fixture = tmp_path / "world.json"
    fixture.write_text(call_command_output("dumpdata", *LABELS))
    for model in reversed(MODELS):
        if model is Region:  # cities before the provinces they point at
            Region.objects.filter(parent__isnull=False).delete()
        model.objects.all().delete()

    call_command("loaddata", fixture, verbosity=0)

    assert snapshot() == before


def test_loading_the_same_dump_twice_creates_no_duplicates(tmp_path):
    build_world()
    counts = {model: model.objects.count() for model in MODELS}
    fixture = tmp_path / "world.json"
    fixture.write_text(call_command_output("dumpdata", *LABELS))

    call_command("loaddata", fixture, verbosity=0)
    call_command("loaddata", fixture, verbosity=0)

    assert {model: model.objects.count() for model in MODELS} == counts


def test_natural_keys_find_each_record():
    case = build_world()
    for obj in [case, case.batch, case.theme, case.batch.program, *case.lead_regions.all()]:
        manager = type(obj).objects
        assert manager.get_by_natural_key(*obj.natural_key()) == obj
    membership = Membership.objects.get()
    assert Membership.objects.get_by_natural_key(*membership.natural_key()) == membership
