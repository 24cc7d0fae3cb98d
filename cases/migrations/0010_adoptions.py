"""Adoptions (which region copied which case) and batches replicated nationwide.

Also: the adoptions table changes the catalogue version like the other catalogue tables (the
case list caches its "adopted elsewhere" counts under it; cases.db_objects), and the Editor and
Publisher roles get the adoption permissions (cases/roles.py). SQLite adds the batches' new
column by rebuilding their table, which drops its triggers: cases.db_objects.repair makes them
again after every migrate.
"""


from django.contrib.auth.management import create_permissions

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

from cases.db_objects import migration as db_objects

ROLES = {
    "Editor": ["add_adoption", "change_adoption", "view_adoption"],
    "Publisher": ["add_adoption", "change_adoption", "view_adoption", "delete_adoption"],
}


def grant_roles(apps, schema_editor):
    app_config = apps.get_app_config("cases")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="cases", codename__in=codenames)
        )


def revoke_roles(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="cases", codename__in=ROLES[group.name])
        )


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0009_list_indexes_in_meta'),
        ('regions', '0002_change_history'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='casebatch',
            name='replicated_nationwide',
            field=models.BooleanField(default=False, help_text="The State Council had every pilot region replicate this batch's cases (as with the 2016 round's experiences): each case counts as adopted by every pilot region, without an adoption record per region.", verbose_name='replicated nationwide'),
        ),
        migrations.AddField(
            model_name='historicalcasebatch',
            name='replicated_nationwide',
            field=models.BooleanField(default=False, help_text="The State Council had every pilot region replicate this batch's cases (as with the 2016 round's experiences): each case counts as adopted by every pilot region, without an adoption record per region.", verbose_name='replicated nationwide'),
        ),
        migrations.CreateModel(
            name='HistoricalAdoption',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('extent', models.CharField(choices=[('full', 'fully'), ('partial', 'in part')], default='full', max_length=10, verbose_name='extent')),
                ('adopted_on', models.DateField(blank=True, help_text='Empty if the source gives no date.', null=True, verbose_name='adopted on')),
                ('evidence_url', models.URLField(help_text='A document or report that says the region adopted the case.', max_length=500, verbose_name='evidence link')),
                ('evidence_quote', models.TextField(help_text='The passage that says so, copied as it stands (in its own language).', max_length=2000, verbose_name='quote from the evidence')),
                ('status', models.CharField(choices=[('draft', 'draft'), ('in-review', 'in review'), ('published', 'published')], default='draft', max_length=20, verbose_name='status')),
                ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='created')),
                ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='last updated')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('case', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cases.case', verbose_name='case')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('region', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='regions.region', verbose_name='adopting region')),
            ],
            options={
                'verbose_name': 'historical adoption',
                'verbose_name_plural': 'historical adoptions',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='Adoption',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('extent', models.CharField(choices=[('full', 'fully'), ('partial', 'in part')], default='full', max_length=10, verbose_name='extent')),
                ('adopted_on', models.DateField(blank=True, help_text='Empty if the source gives no date.', null=True, verbose_name='adopted on')),
                ('evidence_url', models.URLField(help_text='A document or report that says the region adopted the case.', max_length=500, verbose_name='evidence link')),
                ('evidence_quote', models.TextField(help_text='The passage that says so, copied as it stands (in its own language).', max_length=2000, verbose_name='quote from the evidence')),
                ('status', models.CharField(choices=[('draft', 'draft'), ('in-review', 'in review'), ('published', 'published')], default='draft', max_length=20, verbose_name='status')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='last updated')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='adoptions', to='cases.case', verbose_name='case')),
                ('region', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='adoptions', to='regions.region', verbose_name='adopting region')),
            ],
            options={
                'verbose_name': 'adoption',
                'verbose_name_plural': 'adoptions',
                'ordering': [models.OrderBy(models.F('adopted_on'), descending=True, nulls_last=True), 'pk'],
                'constraints': [models.UniqueConstraint(fields=('case', 'region'), name='adoption_once_per_region', violation_error_message="This region's adoption of this case is recorded.")],
            },
        ),
        db_objects("adoption-catalogue-version"),
        migrations.RunPython(grant_roles, revoke_roles),
    ]
