"""What collectstatic leaves for production's static storage (whitenoise), as the container's build makes it."""

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLLECTED = ROOT / "var" / "staticfiles"  # config/settings.py's STATIC_ROOT


def test_what_browsers_download_is_compressed_and_source_maps_are_not(collected_static):
    manifest = json.loads((COLLECTED / "staticfiles.json").read_text())["paths"]
    for name in ("vendor/bootstrap/css/bootstrap.min.css", "css/app.css", "js/autosave.js"):
        served = COLLECTED / manifest[name]
        for encoding in (".gz", ".br"):
            assert served.with_name(served.name + encoding).exists(), (name, encoding)
    # Still collected, as the stylesheets and scripts name them, but only a developer's tools read them.
    maps = list(COLLECTED.rglob("*.map"))
    assert maps
    compressed = [m for m in maps if m.with_name(m.name + ".gz").exists() or m.with_name(m.name + ".br").exists()]
    assert compressed == []
