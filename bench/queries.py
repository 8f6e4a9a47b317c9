"""Count the SQL queries pages cost, or time the cold questionnaire, in-process; print the findings as one JSON line.

Run by bench/run.py as `queries.py MODE JSON`:

- `pages` with the seed's JSON: each hot page at 8 and at 40 practices, as the seeded lead;
- `scale` with the cast's JSON (bench/cast.py): each page of the scale phases as the person who opens it
  (the API lists with the consultant's token), run once on the seed and once with the estate loaded;
- `cold` with the seed's JSON, in a process started with CACHE_MAX_ENTRIES=0 (no card cache): the median time
  of COLD_RENDERS fetches of the 40-practice questionnaire.

Pages are fetched with Django's test client. Each page is fetched once before counting, so per-process caches
(content types, compiled templates, the playbook) are warm and only the page's own queries are counted.
"""

# ruff: noqa: E402 (Django is set up before the app's modules are imported)

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

COLD_RENDERS = 15


def signed_in(username: str) -> Client:
    # The benchmark allows only 127.0.0.1 as a host; the test client would otherwise say "testserver".
    client = Client(SERVER_NAME="127.0.0.1")
    # force_login has no request for django-axes to read an address from; the pages are counted with axes on.
    with override_settings(AXES_ENABLED=False):
        client.force_login(get_user_model().objects.get(username=username))
    return client


def count_queries(client: Client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}, not 200")
    return len(queries)


def count_pages(seeded: dict) -> dict[str, int]:
    client = signed_in(seeded["username"])
    counts = {}
    for size_name, size in seeded["sizes"].items():
        for page, url in size["pages"].items():
            counts[f"{page}_{size_name}"] = count_queries(client, url)
    return counts


def count_scale_pages(cast: dict) -> dict[str, int]:
    clients = {role: signed_in(username) for role, username in cast["users"].items()}
    clients["token"] = Client(SERVER_NAME="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {cast['token']}")
    return {name: count_queries(clients[page["as"]], page["url"]) for name, page in cast["pages"].items()}


def time_cold_questionnaire(seeded: dict) -> dict[str, float]:
    if not isinstance(caches["fragments"], DummyCache):
        raise SystemExit("the card cache is on: run with CACHE_MAX_ENTRIES=0")
    client = signed_in(seeded["username"])
    url = seeded["wide"]["questionnaire"]
    count_queries(client, url)  # warm the process, and check the page answers
    timings = []
    for _ in range(COLD_RENDERS):
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    return {"questionnaire_cold_ms": round(statistics.median(timings), 1)}


MODES = {"pages": count_pages, "scale": count_scale_pages, "cold": time_cold_questionnaire}

if __name__ == "__main__":
    print(json.dumps(MODES[sys.argv[1]](json.loads(sys.argv[2]))))
