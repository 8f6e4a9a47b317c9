"""Production settings, checked in a separate process with a production environment."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-production-secret-key-for-the-deploy-check-0123456789",
    "ALLOWED_HOSTS": "assessment.example.com",
    "SITE_URL": "https://assessment.example.com",
    "DATABASE_URL": "postgres://mlops@db.example.com:5432/mlops",
}


# Set by the browser tests for their own process; a deployment must never have it.
TEST_ONLY = {"DJANGO_ALLOW_ASYNC_UNSAFE"}


def manage(*args, **env):
    base = {k: v for k, v in os.environ.items() if k not in PRODUCTION and k not in TEST_ONLY}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check_without_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", **{**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_production_refuses_the_placeholder_secret_key_of_the_example_file():
    example = dict(line.split("=", 1) for line in (ROOT / ".env.example").read_text().splitlines() if "=" in line)
    result = manage("check", **{**PRODUCTION, "SECRET_KEY": example["SECRET_KEY"]})
    assert result.returncode != 0 and "SECRET_KEY is the placeholder from .env.example" in result.stderr


def test_a_malformed_boolean_setting_is_an_error_not_a_guess():
    result = manage("check", **{**PRODUCTION, "SECURE_SSL_REDIRECT": "perhaps"})
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT must be a boolean" in result.stderr


def test_every_setting_read_from_the_environment_is_documented():
    source = (ROOT / "config" / "settings.py").read_text()
    names = set(re.findall(r"""(?:env_bool|env_int|env_list|os\.environ\.get)\(\s*["']([A-Z_]+)["']""", source))
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL"} <= names
    example = {line.split("=", 1)[0] for line in (ROOT / ".env.example").read_text().splitlines() if "=" in line}
    readme = (ROOT / "README.md").read_text()
    assert names - example == set(), "add these to .env.example"
    assert {name for name in names if f"`{name}`" not in readme} == set(), "add these to the README's table"


SHOW_STORES = (
    "from django.conf import settings as s; print(s.CACHES['default']['BACKEND'], s.CACHES['fragments']['BACKEND'])"
)


def test_without_redis_the_shared_cache_is_a_database_table_and_cards_stay_in_each_process():
    result = manage("shell", "--no-imports", "-c", SHOW_STORES, **PRODUCTION, REDIS_URL="")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.cache.backends.db.DatabaseCache",
        "django.core.cache.backends.locmem.LocMemCache",
    ]


def test_the_rq_queue_on_redis_passes_the_deploy_check_and_shares_the_cache():
    rq = {**PRODUCTION, "TASKS_BACKEND": "django_tasks_rq.RQBackend", "REDIS_URL": "redis://redis.example.com:6379/0"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", **rq)
    assert result.returncode == 0, result.stderr + result.stdout
    shown = manage("shell", "--no-imports", "-c", SHOW_STORES, **rq)
    assert shown.stdout.split()[0] == "django.core.cache.backends.redis.RedisCache"


def test_the_rq_queue_without_a_redis_url_is_an_error():
    result = manage("check", **PRODUCTION, TASKS_BACKEND="django_tasks_rq.RQBackend", REDIS_URL="")
    assert result.returncode != 0 and "needs REDIS_URL" in result.stderr
