import pytest
from django.core.management import call_command
from django.utils import translation

from cases.roles import sync_roles
from tests.factories import SuperuserFactory, UserFactory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The real hasher's work takes most of a second per password here; tests need no strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def english_outside_requests():
    """Code outside a request (models, forms, FilterSets) speaks English in tests, so assertions
    can quote messages; pages still speak the language of their URL."""
    with translation.override("en"):
        yield


@pytest.fixture
def superuser(db):
    return SuperuserFactory(username="admin")


@pytest.fixture
def admin_client(client, superuser):
    # Editors' admin in English, so assertions can quote its messages.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(superuser)
    return client


@pytest.fixture
def make_staff(db):
    """make_staff("Editor") or make_staff("Publisher"): a staff account with that role."""

    def make(role):
        # sync_roles(): transactional tests flush the groups the migration made.
        user = UserFactory(username=role.lower(), is_staff=True)
        user.groups.set([sync_roles()[role]])
        return user

    return make


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The real demo fixtures, loaded once for a module and removed afterwards."""
    from cases.models import Case, CaseBatch, ServiceSector, Source, Theme
    from regions.models import Membership, PilotProgram, Region

    with django_db_blocker.unblock():
        call_command("load_demo", verbosity=0)
        yield
        Case.objects.all().delete()
        CaseBatch.objects.all().delete()
        Membership.objects.all().delete()
        PilotProgram.objects.all().delete()
        Region.objects.filter(parent__isnull=False).delete()
        for model in (Region, Theme, ServiceSector, Source):
            model.objects.all().delete()
