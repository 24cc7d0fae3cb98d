"""Schemathesis against the API's own OpenAPI schema: every operation, every parameter, valid
and invalid values, and every response must be what the schema promises (never a 500)."""

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode

from tests.factories import (
    CaseFactory,
    DraftCaseFactory,
    MembershipFactory,
    RegionFactory,
    ServiceSectorFactory,
)

# Examples per operation and mode: enough to reach every parameter, bounded for CI (~1 minute).
EXAMPLES = 25


@pytest.fixture
def api_schema(db, settings):
    # The generated requests come from one address: no throttling in this test.
    settings.API_ANON_RATE = "100000/minute"
    cache.clear()
    region = RegionFactory(slug="shenzhen")
    MembershipFactory(region=region)
    sectors = [ServiceSectorFactory(code="SI"), ServiceSectorFactory(code="SG")]
    for _ in range(3):
        CaseFactory(lead_regions=[region], sectors=sectors)
    DraftCaseFactory(slug="a-draft")
    # Schemathesis drives the real WSGI handler, whose request signals close "old" database
    # connections: on PostgreSQL that closed the test's own connection inside its transaction.
    # Django's test client disconnects them the same way while it makes a request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_the_api_keeps_every_promise_of_its_schema(api_schema):
    """Each operation in turn, positive and negative examples; fails on the first broken
    promise with the request that broke it."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 12  # list and detail of six kinds of record
    for operation in operations:
        check_operation(operation, GenerationMode.POSITIVE)
        # A detail's only parameter is a string in the path: no value of it is invalid.
        if "{" not in operation.path:
            check_operation(operation, GenerationMode.NEGATIVE)


def check_operation(operation, mode):
    @given(case=operation.as_strategy(generation_mode=mode))
    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        case.call_and_validate()

    run()
