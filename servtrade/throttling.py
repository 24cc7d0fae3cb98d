"""The API's rate limit for anonymous clients (a module of its own: DRF's settings import it
while DRF itself is still loading)."""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle


class AnonymousThrottle(AnonRateThrottle):
    """Requests per client address, at ``settings.API_ANON_RATE`` (read per request, so that
    tests and deployments can change it), counted in the default cache."""

    def get_rate(self):
        return settings.API_ANON_RATE
