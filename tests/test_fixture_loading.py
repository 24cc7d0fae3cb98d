"""Loading the demo fixtures: idempotent, atomic, and a broken record is named."""

import json
import shutil

import pytest
from django.core.management import CommandError, call_command

from cases.fixtures import FIXTURE_NAMES, FIXTURES_DIR
from cases.models import Case, CaseBatch, ServiceSector, Theme
from fixtures.build import load_sources
from regions.models import Membership, PilotProgram, Region

FACTS, _ = load_sources()
MODELS = [Region, PilotProgram, Membership, Theme, ServiceSector, CaseBatch, Case]


@pytest.mark.django_db
def test_loading_twice_creates_no_duplicates():
    call_command("load_demo", verbosity=0)
    counts = {model: model.objects.count() for model in MODELS}
    call_command("load_demo", verbosity=0)
    assert {model: model.objects.count() for model in MODELS} == counts
    assert counts[Case] == len(FACTS["cases"])


def copy_fixtures(tmp_path):
    for name in FIXTURE_NAMES:
        shutil.copy(FIXTURES_DIR / f"{name}.json", tmp_path / f"{name}.json")
    return tmp_path


def edit_fixture(directory, name, change):
    path = directory / f"{name}.json"
    records = json.loads(path.read_text(encoding="utf-8"))
    change(records)
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")


@pytest.mark.django_db
def test_an_unknown_natural_key_fails_naming_the_record(tmp_path):
    directory = copy_fixtures(tmp_path)

    def point_at_nowhere(records):
        records[0]["fields"]["lead_regions"] = [["atlantis"]]

    edit_fixture(directory, "cases", point_at_nowhere)
    with pytest.raises(CommandError) as error:
        call_command("load_demo", fixtures_dir=directory, verbosity=0)
    message = str(error.value)
    assert "cases.json, record 1 (cases.case 'weihai-ship-maintenance-cluster')" in message
    assert "lead_regions names regions.region 'atlantis'" in message
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_a_duplicate_slug_fails_naming_both_records(tmp_path):
    directory = copy_fixtures(tmp_path)

    def duplicate(records):
        records[1]["fields"]["slug"] = records[0]["fields"]["slug"]

    edit_fixture(directory, "cases", duplicate)
    with pytest.raises(CommandError) as error:
        call_command("load_demo", fixtures_dir=directory, verbosity=0)
    assert (
        "cases.json, record 2 (cases.case 'weihai-ship-maintenance-cluster') repeats the "
        "natural key of cases.json, record 1" in str(error.value)
    )
    assert not Region.objects.exists()
