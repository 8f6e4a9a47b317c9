import io

import pytest
from asgiref.local import Local
from django.core.management import call_command
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.tasks import task_backends

from assessments.models import Role
from playbook.models import PlaybookVersion
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, TeamFactory, UserFactory


@receiver(setting_changed)
def _reset_task_backends(*, setting, **kwargs):
    # Django resets caches and databases on setting changes, but not task backends (6.1).
    if setting == "TASKS":
        task_backends.__dict__.pop("settings", None)
        task_backends._connections = Local(task_backends.thread_critical)


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # client.login() has no request for django-axes to inspect; tests/test_security.py runs with it on.
    settings.AXES_ENABLED = False
    settings.SECURE_SSL_REDIRECT = False  # the test client speaks plain HTTP; tests/test_settings.py checks production
    # Production's manifest storage needs collectstatic; tests resolve static files from the source folders.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Reports render inline; tests/assessments/test_report.py covers the database queue and its worker.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The real playbook content, loaded once for the whole session."""
    with django_db_blocker.unblock():
        call_command("load_playbook", stdout=io.StringIO())


@pytest.fixture(autouse=True)
def _reload_playbook_after_flush(request, django_db_blocker):
    """Transactional tests end by emptying every table; put the session's playbook back for the tests after them.

    Autouse fixtures are set up first and so torn down last, after that flush.
    """
    yield
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        with django_db_blocker.unblock():
            call_command("load_playbook", stdout=io.StringIO())


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
    user = UserFactory(is_staff=True)
    team.organisation.consultants.add(user)
    return user


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
