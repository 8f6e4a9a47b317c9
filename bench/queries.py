"""Count the SQL queries each hot page costs at 8 and at 40 practices; print them as one JSON line.

Run by bench/run.py with the seed's JSON as the only argument. Pages are fetched
in-process with Django's test client as the seeded lead. Each page is fetched
once before counting, so per-process caches (content types, compiled templates)
are warm and only the page's own queries are counted.
"""

# ruff: noqa: E402 (Django is set up before the app's modules are imported)

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


def count_queries(client: Client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}, not 200")
    return len(queries)


def main(seeded: dict) -> None:
    # The benchmark allows only 127.0.0.1 as a host; the test client would otherwise say "testserver".
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=seeded["username"]))
    counts = {}
    for size_name, size in seeded["sizes"].items():
        for page, url in size["pages"].items():
            counts[f"{page}_{size_name}"] = count_queries(client, url)
    print(json.dumps(counts))


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
