"""The two staff roles: editors prepare content, publishers also publish and delete it.

Superusers keep every right. The groups are created by migration
``cases.0005_editor_and_publisher_roles``; ``sync_roles()`` creates or updates them to match the
lists below (``manage.py create_staff_user`` calls it). A change to these lists needs a data
migration too: tests/test_permissions.py checks that the migrated groups match.
"""

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

EDITOR = "Editor"
PUBLISHER = "Publisher"

# What editors create and edit (and publishers may also delete).
MAINTAINED = [
    "regions.region",
    "regions.pilotprogram",
    "regions.membership",
    "cases.casebatch",
    "cases.case",
    "cases.adoption",
]
# The public's suggestions: editors work through the queue, publishers may also delete.
MODERATED = ["cases.suggestion"]
# Lookup tables that staff choose from but only administrators change.
CONSULTED = ["cases.theme", "cases.servicesector"]


def permissions(actions, models):
    """``["cases.add_case", ...]`` for each action on each "app.model"."""
    return [
        f"{app}.{action}_{model}"
        for app, model in (label.split(".") for label in models)
        for action in actions
    ]


EDITOR_PERMISSIONS = [
    *permissions(["add", "change", "view"], MAINTAINED),
    *permissions(["change", "view"], MODERATED),
    *permissions(["view"], CONSULTED),
]
ROLES = {
    EDITOR: EDITOR_PERMISSIONS,
    PUBLISHER: [
        *EDITOR_PERMISSIONS,
        *permissions(["delete"], MAINTAINED),
        *permissions(["delete"], MODERATED),
        "cases.publish_case",
    ],
}


@transaction.atomic
def sync_roles():
    """Create or update the Editor and Publisher groups; returns them by name."""
    known = {
        f"{permission.content_type.app_label}.{permission.codename}": permission
        for permission in Permission.objects.select_related("content_type").filter(
            content_type__app_label__in=["regions", "cases"]
        )
    }
    groups = {}
    for name, labels in ROLES.items():
        missing = sorted(set(labels) - set(known))
        if missing:
            raise ImproperlyConfigured(f"Unknown permissions {missing}: run manage.py migrate.")
        groups[name], _created = Group.objects.get_or_create(name=name)
        groups[name].permissions.set([known[label] for label in labels])
    return groups
