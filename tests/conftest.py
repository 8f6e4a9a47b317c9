import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from asgiref.local import Local
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.management import call_command
from django.core.signals import setting_changed
from django.db import connection, transaction
from django.dispatch import receiver
from django.tasks import task_backends
from django.test import override_settings
from hypothesis import settings as hypothesis_settings
from pytest_django.plugin import blocking_manager_key

from assessments.models import OrganisationMembership, OrganisationRole, Role
from identity.services import activate_totp
from identity.totp import DEMO_TOTP_SECRET
from playbook.models import PlaybookVersion
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, TeamFactory, UserFactory

# Locally hypothesis explores new examples on every run; in CI it replays a fixed set, so a build never fails
# on a random draw that nobody can reproduce.
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


@receiver(setting_changed)
def _reset_task_backends(*, setting, **kwargs):
    # Django resets caches and databases on setting changes, but not task backends (6.1).
    if setting == "TASKS":
        task_backends.__dict__.pop("settings", None)
        task_backends._connections = Local(task_backends.thread_critical)


@pytest.fixture(scope="session", autouse=True)
def _plain_http():
    """Tests speak plain HTTP, including the live server the browser tests start once per session.

    tests/test_settings.py checks the production values in a separate process.
    """
    with override_settings(
        SECURE_SSL_REDIRECT=False, SESSION_COOKIE_SECURE=False, CSRF_COOKIE_SECURE=False, SECURE_HSTS_SECONDS=0
    ):
        yield


EVIDENCE_TEST_ROOT = Path(tempfile.gettempdir()) / f"mlops-evidence-tests-{os.getpid()}"


def settings_for_tests() -> dict:
    """What every test changes from the production settings (also applied to module-wide fixtures)."""
    from django.conf import settings

    return {
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
        # client.login() has no request for django-axes to inspect; tests/test_security.py runs with it on.
        "AXES_ENABLED": False,
        # Production's manifest storage needs collectstatic; tests resolve static files from the source folders.
        "STORAGES": {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            # Evidence files go to a temporary folder, never to var/evidence of the checkout.
            "evidence": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": EVIDENCE_TEST_ROOT},
            },
        },
        # Reports render inline; tests/assessments/test_report.py covers the database queue and its worker.
        "TASKS": {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}},
        # A fixed key for tests only, so tracker connections (and the demo's) work without the environment's.
        "CREDENTIALS_KEY": "P_WcpfwppJJzcAOxbmYGgHXVNIUCP9rn3dxjUbWNHN4=",
        # No test reaches a real tracker: unless it starts a fake, a call finds a closed local port at once.
        "GITHUB_API_URL": "http://127.0.0.1:9",
        "JIRA_SITE_URL_TEMPLATE": "http://127.0.0.1:9",
        "AZURE_DEVOPS_URL": "http://127.0.0.1:9",
    }


@pytest.fixture(autouse=True)
def _test_settings(settings):
    for name, value in settings_for_tests().items():
        setattr(settings, name, value)


PLAYBOOK_SNAPSHOT = "playbook_snapshot"  # a schema holding a copy of the published playbook's tables


def _playbook_tables(connection) -> list[str]:
    return sorted(name for name in connection.introspection.table_names() if name.startswith("playbook_"))


def _snapshot_playbook() -> None:
    """Copy the published playbook's rows aside, so a flushed database gets them back in milliseconds."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {PLAYBOOK_SNAPSHOT} CASCADE; CREATE SCHEMA {PLAYBOOK_SNAPSHOT}")
        for table in _playbook_tables(connection):
            # Table names come from the database's own catalogue, never from input.
            cursor.execute(f'CREATE TABLE {PLAYBOOK_SNAPSHOT}."{table}" AS SELECT * FROM "{table}"')  # noqa: S608


def _restore_playbook() -> None:
    # Publishing two versions takes over a second; copying the rows back, with the same ids, a few milliseconds.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table in _playbook_tables(connection):
            cursor.execute(f'INSERT INTO "{table}" SELECT * FROM {PLAYBOOK_SNAPSHOT}."{table}"')  # noqa: S608
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608
                f'(SELECT coalesce(max(id), 0) + 1 FROM "{table}"), false)'
            )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The real playbook content, published once for the whole session."""
    with django_db_blocker.unblock():
        call_command("load_playbook", stdout=io.StringIO())
        _snapshot_playbook()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Transactional tests end by emptying every table: put the session's playbook back for the tests after them.

    A hook, not a fixture, so that it runs after pytest-django's own teardown has flushed the tables.
    """
    result = yield
    marker = item.get_closest_marker("django_db")
    if nextitem is None:
        return result  # the session is over and the test database already gone
    if (marker and marker.kwargs.get("transaction")) or {"live_server", "transactional_db"} & set(item.fixturenames):
        with item.config.stash[blocking_manager_key].unblock(), transaction.atomic():
            _restore_playbook()
            if isinstance(caches["default"], DatabaseCache):
                # The flush empties only the models' tables: rate-limit counts committed by a live server would stay.
                caches["default"].clear()
    return result


@pytest.fixture
def playbook(db) -> PlaybookVersion:
    return PlaybookVersion.objects.get(is_current=True)


@pytest.fixture
def team(db):
    return TeamFactory()


def _member(team, role):
    return MembershipFactory(team=team, role=role).user


@pytest.fixture
def lead(team):
    return _member(team, Role.LEAD)


@pytest.fixture
def member(team):
    return _member(team, Role.MEMBER)


@pytest.fixture
def viewer(team):
    return _member(team, Role.VIEWER)


@pytest.fixture
def consultant(team):
    """A staff facilitator of the team's organisation, with the second factor staff need to see any team."""
    user = UserFactory(is_staff=True)
    activate_totp(user=user, secret=DEMO_TOTP_SECRET)
    team.organisation.consultants.add(user)
    return user


def _organisation_role(team, role):
    user = UserFactory()
    OrganisationMembership.objects.create(organisation=team.organisation, user=user, role=role)
    return user


@pytest.fixture
def org_admin(team):
    """An admin across the team's organisation, with no role on the team itself."""
    return _organisation_role(team, OrganisationRole.ADMIN)


@pytest.fixture
def org_viewer(team):
    """A viewer across the team's organisation (a head of data), with no role on the team itself."""
    return _organisation_role(team, OrganisationRole.VIEWER)


@pytest.fixture
def outsider(db):
    """The lead of a team in another organisation."""
    return MembershipFactory(team=TeamFactory(organisation=OrganisationFactory()), role=Role.LEAD).user


@pytest.fixture
def client_for(client):
    def log_in(user):
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return log_in


@pytest.fixture(scope="session")
def collected_static() -> None:
    """collectstatic's manifest, which production's static storage needs (the container makes it at build time), for
    tests that run the app in a real gunicorn: once per session, as it takes a while."""
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "collectstatic-for-the-tests-collectstatic-for-the-tests-0123",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    subprocess.run(
        # --clear: what a test finds there is this checkout's collection, not an older one's leftovers.
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--clear", "-v", "0"],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        check=True,
        capture_output=True,
    )
