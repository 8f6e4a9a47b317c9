"""What collectstatic leaves for production's static storage (whitenoise), as the container's build makes it."""

import json
from pathlib import Path

from django.conf import settings


def test_what_browsers_download_is_compressed_and_source_maps_are_not(collected_static):
    collected = Path(settings.STATIC_ROOT)
    manifest = json.loads((collected / "staticfiles.json").read_text())["paths"]
    for name in ("vendor/bootstrap/css/bootstrap.min.css", "css/app.css", "js/autosave.js"):
        served = collected / manifest[name]
        for encoding in (".gz", ".br"):
            assert served.with_name(served.name + encoding).exists(), (name, encoding)
    # Still collected, as the stylesheets and scripts name them, but only a developer's tools read them.
    maps = list(collected.rglob("*.map"))
    assert maps
    compressed = [m for m in maps if m.with_name(m.name + ".gz").exists() or m.with_name(m.name + ".br").exists()]
    assert compressed == []
