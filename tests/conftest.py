import pytest
from django.conf import settings
from django.utils import translation

from tests.factories import SuperuserFactory


def pytest_collection_modifyitems(items):
    """Transactional tests name every app as available, so that Django empties the tables with
    TRUNCATE ... CASCADE after each of them.

    On PostgreSQL the search index (cases_casesearch, made by a migration and unknown to Django)
    references cases_case, and a plain TRUNCATE of cases_case is refused; Django cascades only
    for tests that declare ``available_apps``. Listing them all changes nothing else.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and "available_apps" not in marker.kwargs:
            item.add_marker(
                pytest.mark.django_db(
                    *marker.args, **marker.kwargs, available_apps=list(settings.INSTALLED_APPS)
                )
            )


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
