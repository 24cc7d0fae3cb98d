"""Change history in the admin: django-simple-history, one record per save.

simple-history writes a record when a model is saved, then one more each time a tracked
many-to-many field changes (its issues #1142 and #1313). An admin save of a case with new lead
regions and sectors would so show as three changes, two of them half-done states that nobody
made and that "revert" would happily restore. Here every record one save writes gets the same
timestamp, and afterwards only the last one, which holds the final state of every field, is
kept. The revert page is also made to show an old version's many-to-many values: Django reads
them from the database, that is, today's.

Public simple-history API only: ``_history_date`` is its documented way to set a record's date;
a record's many-to-many values are read through the record (``record.lead_regions``) and the
reverse field name from ``simple_history.utils``. pyproject.toml pins the minor version this was
tested with (tests/test_history.py holds the behaviour).
"""

from django import forms
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin
from simple_history.manager import SIMPLE_HISTORY_REVERSE_ATTR_NAME
from simple_history.utils import get_m2m_field_name, get_m2m_reverse_field_name

# Rows per UPDATE of save_in_bulk(): far below any database's limit of parameters.
BULK_ROWS = 500


def tracked_m2m_fields(instance, record):
    """The many-to-many fields of ``instance`` whose values its history ``record`` keeps
    (``HistoricalRecords(m2m_fields=...)``): those the record has an attribute for."""
    return [field for field in instance._meta.many_to_many if hasattr(record, field.name)]


def start_history_record(instance):
    """Give every history record that the coming save of ``instance`` writes one timestamp."""
    instance._history_date = timezone.now()


def finish_history_record(instance):
    """Merge the records written since ``start_history_record(instance)`` into the last one."""
    stamp = instance.__dict__.pop("_history_date", None)
    if stamp is None:
        return
    records = list(instance.history.filter(history_date=stamp).order_by("history_id"))
    if len(records) < 2:
        return
    *earlier, last = records
    # A record of a creation followed by records of its many-to-many values is one creation.
    if last.history_type != earlier[0].history_type:
        last.history_type = earlier[0].history_type
        last.save(update_fields=["history_type"])
    for field in tracked_m2m_fields(instance, last):
        getattr(last, field.name).model.objects.filter(history__in=earlier).delete()
    type(last).objects.filter(pk__in=[record.pk for record in earlier]).delete()


def skip_history(instance):
    """Write no history record while ``instance`` and its many-to-many values are saved: the
    caller writes it once they are, with ``record_history_in_bulk()`` (an import: one
    statement for a whole file, not one record per row and per many-to-many field)."""
    instance.skip_history_when_saving = True  # simple-history's own switch


def save_in_bulk(records, fields):
    """What ``record.save(update_fields=fields)`` does for each of ``records`` (one model, their
    ``fields`` changed already), history record included, in a few statements whatever their
    number: an action on a batch's hundreds of cases would otherwise write each with its own
    UPDATE, history INSERTs and triggers, holding a worker and the database for seconds.

    ``auto_now`` fields get the time, and the model's ``SAVE_COUNTER`` field (cases: the
    version the admin's optimistic lock compares) counts the save, as a save would. No signal
    is sent: simple-history's is replaced by ``record_history_in_bulk()``, and nothing else of
    ours listens.
    """
    if not records:
        return
    model = type(records[0])
    fields = set(fields)
    now = timezone.now()
    for field in model._meta.concrete_fields:
        if getattr(field, "auto_now", False):
            fields.add(field.name)
            for record in records:
                setattr(record, field.attname, now)
    if counter := getattr(model, "SAVE_COUNTER", None):
        fields.add(counter)
        for record in records:
            setattr(record, counter, getattr(record, counter) + 1)
    model._base_manager.bulk_update(records, sorted(fields), batch_size=BULK_ROWS)
    record_history_in_bulk(records, now)


def record_history_in_bulk(records, date, created=False):
    """One history record of each of ``records`` (one model, as saved), dated ``date``, a
    creation or a change (``created``), by the request's user as simple-history's middleware
    gives it: simple-history's ``bulk_history_create``, plus the tracked many-to-many values it
    leaves out, in one query per field and a few hundred records."""
    if not records:
        return
    model = type(records[0])
    for record in records:
        record.__dict__.pop("skip_history_when_saving", None)
    entries = model.history.bulk_history_create(
        records, update=not created, default_date=date, batch_size=BULK_ROWS
    )
    by_record = {entry.id: entry for entry in entries}
    for field in getattr(model.history.model, "_history_m2m_fields", []):
        through = field.remote_field.through
        owner = f"{get_m2m_field_name(field)}_id"
        kept = getattr(entries[0], field.name).model
        columns = [column.attname for column in through._meta.fields]
        ids = list(by_record)
        for start in range(0, len(ids), BULK_ROWS):
            rows = through.objects.filter(**{f"{owner}__in": ids[start : start + BULK_ROWS]})
            kept.objects.bulk_create(
                kept(
                    history=by_record[getattr(row, owner)], **{c: getattr(row, c) for c in columns}
                )
                for row in rows
            )


class HistoryForm(forms.ModelForm):
    """A model form that, opened on an earlier version, shows its many-to-many values."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        record = getattr(self.instance, SIMPLE_HISTORY_REVERSE_ATTR_NAME, None)
        if record is None:
            return
        for field in tracked_m2m_fields(self.instance, record):
            if field.name in self.fields:
                target = f"{get_m2m_reverse_field_name(field)}_id"
                rows = getattr(record, field.name).all()
                self.initial[field.name] = [getattr(row, target) for row in rows]


class HistoryAdmin(SimpleHistoryAdmin):
    """The admin with a "History" page of field-by-field diffs, one entry per save, and revert.

    The admin logs an addition or change once the object and its many-to-many fields are saved,
    both on the change form and on simple-history's revert page: the records are merged there.
    """

    form = HistoryForm
    # Counters that change with every save (cases' optimistic-locking version) say nothing.
    history_diff_excluded_fields = ["version"]

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """simple-history's own, without the fields that change on every save."""
        previous = None
        for current in historical_records:
            if previous is not None:
                delta = previous.diff_against(
                    current,
                    excluded_fields=self.history_diff_excluded_fields,
                    foreign_keys_are_objs=foreign_keys_are_objs,
                )
                helper = self.get_historical_record_context_helper(request, previous)
                previous.history_delta_changes = helper.context_for_delta_changes(delta)
            previous = current

    def save_model(self, request, obj, form, change):
        start_history_record(obj)
        super().save_model(request, obj, form, change)

    def log_addition(self, request, obj, message):
        finish_history_record(obj)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        finish_history_record(obj)
        return super().log_change(request, obj, message)
