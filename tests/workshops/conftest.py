import pytest
from django.test import Client

from assessments import services as assessment_services
from workshops import services


@pytest.fixture
def assessment(team, lead, playbook):
    return assessment_services.create_assessment(team=team, user=lead, title="Workshop round")


@pytest.fixture
def workshop(assessment, lead, playbook):
    slugs = [c.slug for c in playbook.challenges.all()[:2]]
    return services.create_workshop(assessment=assessment, user=lead, title="Kick-off", challenge_slugs=slugs, hours=2)


@pytest.fixture
def guest_client():
    """A browser with no account, as a guest in the room has."""
    return Client()


def join_as_guest(client, workshop, name):
    response = client.post("/join/", {"code": workshop.join_code, "display_name": name})
    assert response.status_code == 302, response.content
    return response
