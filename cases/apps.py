from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self):
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate, pre_migrate

        from cases import checks  # noqa: F401 (registers the database check)
        from cases.db_objects import before_migrate, repair
        from cases.search import register_sqlite_functions

        connection_created.connect(register_sqlite_functions)
        # After every migrate (and flush): create again what a table rebuild dropped.
        post_migrate.connect(repair, sender=self)
        # Before: drop what would stop a rebuild of cases_case (see before_migrate).
        pre_migrate.connect(before_migrate, sender=self)
