import pytest
from django.utils import translation

from tests.factories import SuperuserFactory


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
