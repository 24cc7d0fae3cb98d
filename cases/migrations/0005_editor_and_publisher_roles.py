"""The Editor and Publisher groups (see cases/roles.py, which this migration froze)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MAINTAINED = [
    ("regions", "region"),
    ("regions", "pilotprogram"),
    ("regions", "membership"),
    ("cases", "casebatch"),
    ("cases", "case"),
]
CONSULTED = [("cases", "theme"), ("cases", "servicesector")]
EDITOR = [
    *[(app, f"{action}_{model}") for app, model in MAINTAINED for action in ("add", "change", "view")],
    *[(app, f"view_{model}") for app, model in CONSULTED],
]
ROLES = {
    "Editor": EDITOR,
    "Publisher": [
        *EDITOR,
        *[(app, f"delete_{model}") for app, model in MAINTAINED],
        ("cases", "publish_case"),
    ],
}


def create_roles(apps, schema_editor):
    # Permissions are made after the last migration has run (post_migrate); make them now.
    for label in ("regions", "cases"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, permissions in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(
            [
                Permission.objects.get(content_type__app_label=app, codename=codename)
                for app, codename in permissions
            ]
        )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("regions", "0002_change_history"),
        ("cases", "0004_case_publish_permission"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
