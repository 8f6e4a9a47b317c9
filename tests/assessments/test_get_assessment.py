"""access.get_assessment loads what select_related would, from the SQL it compiles once per process."""

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from assessments import access, services
from assessments.access import Capability
from assessments.models import Assessment

pytestmark = pytest.mark.django_db


def fields(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


@pytest.fixture
def assessment(team, lead, playbook):
    team.tags = ["eu", "regulated"]
    team.save()
    created = services.create_assessment(team=team, user=lead, title="Loaded once")
    services.set_targets(assessment=created, targets={"security-practice": 4})
    return created


def test_a_member_gets_the_rows_select_related_would_load_in_one_query(assessment, member):
    expected = Assessment.objects.select_related("team__organisation", "playbook").get(pk=assessment.pk)
    with CaptureQueriesContext(connection) as queries:
        loaded, team_access = access.get_assessment(member, assessment.pk, Capability.NOTES)
        team, organisation, playbook = loaded.team, loaded.team.organisation, loaded.playbook
    assert len(queries) == 1
    assert fields(loaded) == fields(expected)
    assert fields(team) == fields(expected.team) and team.tags == ["eu", "regulated"]
    assert fields(organisation) == fields(expected.team.organisation)
    assert fields(playbook) == fields(expected.playbook)
    assert loaded.targets == {"security-practice": 4}
    assert team_access.role == "member" and not loaded._state.adding


@pytest.mark.parametrize("who", ["lead", "viewer", "consultant", "org_viewer"])
def test_each_role_is_read_as_before(assessment, who, request):
    user = request.getfixturevalue(who)
    _, team_access = access.get_assessment(user, assessment.pk)
    assert team_access == access.access_to_assessment(user, assessment.pk)


def test_an_outsider_a_deleted_assessment_and_an_impossible_id_are_not_found(assessment, outsider, lead):
    with pytest.raises(Http404):
        access.get_assessment(outsider, assessment.pk)
    with pytest.raises(Http404):
        access.get_assessment(lead, 2**70)
    services.delete_assessment(assessment=assessment, user=lead)
    with pytest.raises(Http404):
        access.get_assessment(lead, assessment.pk)
