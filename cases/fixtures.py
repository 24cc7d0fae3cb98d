"""Checks on the demo fixtures before they load, so a broken one names the broken record.

Django's loaddata, given a fixture with natural keys, quietly merges two records with the same key
and reports an unknown natural key without saying which record held it. These checks do both
properly: each record is named by file, position, model and natural key.
"""

import json
from pathlib import Path

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist

FIXTURES_DIR = Path(__file__).resolve().parent.parent / "fixtures"
# The fixture files, in loading order; load_demo loads exactly these (fixtures/build.py writes
# them).
FIXTURE_NAMES = ["sectors", "themes", "regions", "programs", "batches", "sources", "cases"]

# Which fields make each model's natural key (see each model's natural_key()).
NATURAL_KEY_FIELDS = {
    "regions.region": ["slug"],
    "regions.pilotprogram": ["slug"],
    "regions.membership": ["program", "region"],
    "cases.theme": ["slug"],
    "cases.servicesector": ["code"],
    "cases.casebatch": ["program", "number"],
    "cases.case": ["slug"],
    "cases.source": ["key"],
}


class FixtureProblem(ValueError):
    pass


def fixture_paths(directory=FIXTURES_DIR):
    return [Path(directory) / f"{name}.json" for name in FIXTURE_NAMES]


def natural_key(label, fields):
    """The natural key as a tuple, with foreign keys flattened as natural_key() does."""
    key = []
    for name in NATURAL_KEY_FIELDS[label]:
        value = fields.get(name)
        key.extend(value if isinstance(value, list) else [value])
    return tuple(key)


def describe(path, index, label, key):
    shown = " / ".join(str(part) for part in key)
    return f"{path.name}, record {index} ({label} {shown!r})"


def check_fixture_files(paths):
    """Raise FixtureProblem naming every duplicate key and every unknown reference."""
    records, problems, seen = [], [], {}
    for path in paths:
        for index, entry in enumerate(read_fixture(path), start=1):
            label = entry.get("model")
            if label not in NATURAL_KEY_FIELDS:
                problems.append(f"{Path(path).name}, record {index}: unknown model {label!r}")
                continue
            fields = entry.get("fields", {})
            key = natural_key(label, fields)
            where = describe(Path(path), index, label, key)
            if (label, key) in seen:
                problems.append(f"{where} repeats the natural key of {seen[(label, key)]}")
            else:
                seen[(label, key)] = where
            records.append((where, label, fields))
    for where, label, fields in records:
        problems += reference_problems(where, apps.get_model(label), fields, seen)
    if problems:
        raise FixtureProblem("The demo fixtures are broken:\n- " + "\n- ".join(problems))


def read_fixture(path):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise FixtureProblem(f"{Path(path).name} cannot be read: {error}") from error


def reference_problems(where, model, fields, seen):
    """Fields the model lacks, and references that neither the fixtures nor the database hold."""
    problems = []
    for name, value in fields.items():
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            problems.append(f"{where}: {model.__name__} has no field {name!r}")
            continue
        if not field.is_relation or value is None:
            continue
        target = field.related_model
        target_label = target._meta.label_lower
        for reference in value if field.many_to_many else [value]:
            if (target_label, tuple(reference)) in seen or exists(target, reference):
                continue
            problems.append(
                f"{where}: {name} names {target_label} {' / '.join(map(str, reference))!r}, "
                "which no fixture or database record has"
            )
    return problems


def exists(model, reference):
    try:
        model._default_manager.get_by_natural_key(*reference)
    except (ObjectDoesNotExist, ValueError, TypeError):
        return False
    return True
