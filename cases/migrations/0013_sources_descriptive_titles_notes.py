"""Sources as records, descriptive titles and cataloguing notes.

Both new tables (cases_source, cases_case_sources) change the catalogue version like the other
catalogue tables (the source facet counts cases by their sources' kinds): cases.db_objects'
"source-catalogue-version" group. SQLite adds the cases' new NOT NULL columns by rebuilding
cases_case, which drops its triggers: cases.db_objects.repair makes them again after every
migrate.
"""

from django.db import migrations, models

from cases.db_objects import migration as db_objects


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0012_case_version'),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='cataloguing_note_en',
            field=models.TextField(blank=True, verbose_name='cataloguing note (English)'),
        ),
        migrations.AddField(
            model_name='case',
            name='cataloguing_note_zh',
            field=models.TextField(blank=True, help_text='What is not known yet about this case, e.g. that its title was not found.', verbose_name='cataloguing note (Chinese)'),
        ),
        migrations.AddField(
            model_name='case',
            name='title_en_descriptive',
            field=models.BooleanField(default=False, help_text='The English title is ours, written until the official one is found.', verbose_name='English title is descriptive'),
        ),
        migrations.AddField(
            model_name='case',
            name='title_zh_descriptive',
            field=models.BooleanField(default=False, help_text='The Chinese title is ours, written until the official one is found.', verbose_name='Chinese title is descriptive'),
        ),
        migrations.AddField(
            model_name='historicalcase',
            name='cataloguing_note_en',
            field=models.TextField(blank=True, verbose_name='cataloguing note (English)'),
        ),
        migrations.AddField(
            model_name='historicalcase',
            name='cataloguing_note_zh',
            field=models.TextField(blank=True, help_text='What is not known yet about this case, e.g. that its title was not found.', verbose_name='cataloguing note (Chinese)'),
        ),
        migrations.AddField(
            model_name='historicalcase',
            name='title_en_descriptive',
            field=models.BooleanField(default=False, help_text='The English title is ours, written until the official one is found.', verbose_name='English title is descriptive'),
        ),
        migrations.AddField(
            model_name='historicalcase',
            name='title_zh_descriptive',
            field=models.BooleanField(default=False, help_text='The Chinese title is ours, written until the official one is found.', verbose_name='Chinese title is descriptive'),
        ),
        migrations.CreateModel(
            name='Source',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(help_text="The facts file's id, e.g. S12.", max_length=20, unique=True, verbose_name='key')),
                ('url', models.URLField(blank=True, max_length=500, verbose_name='address')),
                ('title', models.CharField(max_length=500, verbose_name='title')),
                ('publisher', models.CharField(blank=True, max_length=200, verbose_name='publisher')),
                ('date', models.CharField(blank=True, help_text='As the source gives it, e.g. 2023-11.', max_length=200, verbose_name='date')),
                ('kind', models.CharField(choices=[('official', "official (a government body's own site)"), ('secondary', 'secondary (news report, reprint, translation)'), ('mirror', 'mirror (a copy of an official page on another site)')], default='secondary', max_length=20, verbose_name='kind')),
                ('copies_url', models.URLField(blank=True, help_text='For a mirror: the official page it presumably copies.', max_length=500, verbose_name='official address it copies')),
                ('copies_url_confirmed', models.BooleanField(default=False, help_text='Set once someone has opened the official address and found the same text.', verbose_name='official address confirmed')),
            ],
            options={
                'verbose_name': 'source',
                'verbose_name_plural': 'sources',
                'ordering': ['key'],
                'constraints': [models.CheckConstraint(condition=models.Q(('kind', 'mirror'), ('copies_url', ''), _connector='OR'), name='source_only_mirrors_copy', violation_error_message='Only a mirror copies an official address.')],
            },
        ),
        migrations.AddField(
            model_name='case',
            name='sources',
            field=models.ManyToManyField(blank=True, related_name='cases', to='cases.source', verbose_name='sources'),
        ),
        db_objects("source-catalogue-version"),
    ]
