"""Counters that every web server must agree on live in the shared default cache: a database table, or Redis when
REDIS_URL is set. Only rendered questionnaire cards stay in each process's memory."""

import pytest
import redis
from django.core.cache import caches
from django.db import connection
from django.urls import reverse

from api import services
from api.models import ApiToken, TokenScope

pytestmark = pytest.mark.django_db
REDIS_URL = "redis://127.0.0.1:6379/14"  # a database of its own, flushed before and after


def token_headers(user) -> dict:
    secret = services.create_token(user=user, name="test", scope=TokenScope.READ, days=1).secret
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def throttle_rows(user) -> int:
    with connection.cursor() as cursor:
        key = f"%throttle_token_token-{ApiToken.objects.get(user=user).pk}"
        cursor.execute("SELECT count(*) FROM shared_cache WHERE cache_key LIKE %s", [key])
        return cursor.fetchone()[0]


def hit_the_api(client, headers: dict, times: int) -> list[int]:
    return [client.get(reverse("api:teams"), **headers).status_code for _ in range(times)]


def test_api_request_counts_are_rows_in_the_database_that_every_web_server_reads(client, lead, settings):
    settings.API_REQUESTS_PER_MINUTE = 2
    headers = token_headers(lead)
    assert hit_the_api(client, headers, 2) == [200, 200]
    assert throttle_rows(lead) == 1
    caches["fragments"].clear()  # a process's own memory holds none of it
    assert hit_the_api(client, headers, 1) == [429]


@pytest.fixture
def redis_cache(settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
    }
    server = redis.Redis.from_url(REDIS_URL)
    server.flushdb()
    yield server
    server.flushdb()


def test_with_redis_the_api_request_counts_are_kept_there(client, lead, settings, redis_cache):
    settings.API_REQUESTS_PER_MINUTE = 2
    assert hit_the_api(client, token_headers(lead), 3) == [200, 200, 429]
    assert list(redis_cache.scan_iter(match="*throttle_token*"))
