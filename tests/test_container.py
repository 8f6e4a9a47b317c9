"""What goes into the container image (never a local environment file with its secrets) and how gunicorn runs it."""

import fnmatch
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def excluded_by_dockerignore(path: str) -> bool:
    """Docker's rule for .dockerignore: patterns in order, the last one that matches decides; `!` re-includes."""
    excluded = False
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        pattern = line.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negated = pattern.startswith("!")
        pattern = pattern.removeprefix("!")
        if fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path.split("/")[0], pattern):
            excluded = not negated
    return excluded


def test_local_environment_files_never_reach_the_image_but_the_example_does():
    for secret in (".env", ".env.local", ".env.production", "var/secret-key", "server.key"):
        assert excluded_by_dockerignore(secret), secret
    assert not excluded_by_dockerignore(".env.example")
    assert not excluded_by_dockerignore("config/settings.py")


def test_the_image_copies_only_the_build_context_and_runs_gunicorn_with_its_config():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "COPY . ." in dockerfile  # hence the .dockerignore above
    assert 'CMD ["gunicorn", "config.wsgi"]' in dockerfile and "--access-logfile" not in dockerfile
    assert (ROOT / "gunicorn.conf.py").exists()


def test_importing_the_app_opens_no_database_connection_to_share_between_forked_workers():
    # gunicorn.conf.py preloads the app and forks the workers from it: a connection opened while importing would be
    # one socket that every worker then writes to.
    opened = (
        "import config.wsgi\n"
        "from django.db import connections\n"
        "print(sum(c.connection is not None for c in connections.all(initialized_only=True)))"
    )
    env = {**os.environ, "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1"}
    imported = subprocess.run([sys.executable, "-c", opened], cwd=ROOT, env=env, capture_output=True, text=True)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == "0"
