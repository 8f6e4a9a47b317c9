"""The schema is the contract: schemathesis generates requests for every operation and sends them to the live test
server, which must never answer 5xx, never answer outside the schema, and never serve another team's data."""

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api import services as api_services
from api.models import TokenScope
from assessments import services, tracking
from assessments.results import build_results
from tests.factories import MembershipFactory, TeamFactory, submitted_assessment

pytestmark = pytest.mark.django_db(transaction=True)
EXAMPLES_PER_OPERATION = 12


def _bearer(user, scope=TokenScope.WRITE) -> dict:
    secret = api_services.create_token(user=user, name="contract", scope=scope, days=1).secret
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def contract(live_server, team, lead):
    """A team with a submitted and a draft assessment, and the schema as the live server serves it."""
    submitted_assessment(team, lead, title="Submitted")
    services.create_assessment(team=team, user=lead, title="Draft")
    headers = _bearer(lead)
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/", headers=headers)
    return schema, headers, live_server.url


def test_every_operation_keeps_to_the_schema_and_never_fails_with_a_5xx(contract, settings_for_contract):
    schema, headers, base_url = contract
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    session = requests.Session()
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def exchange(case):
            # Every check but "schema-valid data is accepted": some rules cannot be written in a JSON schema (a level
            # or a not-applicable reason, not both; a critical practice accepts only its own rule), and breaking
            # them is a 400 with a message, as it should be.
            case.call_and_validate(
                base_url=base_url, headers=headers, session=session, excluded_checks=[positive_data_acceptance]
            )

        exchange()


def test_no_operation_answers_a_stranger_about_the_teams_objects(contract, team, lead):
    """Generated requests with the real ids of the team's objects, sent with the token of another organisation's
    lead: every one is refused (404, or 400/401/403), none answers with the team's data."""
    schema, _, base_url = contract
    assessment = submitted_assessment(team, lead, title="Probed")
    action = tracking.track_action(assessment=assessment, item=build_results(assessment).plan[0], user=lead)
    real = {"id": None, "practice": action.practice_slug, "version": assessment.playbook.version}
    ids = {"/api/v1/teams/": team.pk, "/api/v1/assessments/": assessment.pk, "/api/v1/actions/": action.pk}
    theirs = _bearer(MembershipFactory(team=TeamFactory(), role="lead").user)
    session = requests.Session()
    probed = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        prefix = next((p for p in ids if operation.path.startswith(p + "{")), None)
        if prefix is None:
            continue  # lists show only what the caller sees; the playbook is public
        names = [parameter.name for parameter in operation.path_parameters]
        params = {name: ids[prefix] if name == "id" else real[name] for name in names}
        probed += 1

        as_stranger(operation, params, theirs, base_url, session)
    assert probed == 9  # every route that names a team, an assessment or an action


def as_stranger(operation, params: dict, headers: dict, base_url: str, session) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def refused(case):
        case.path_parameters = params
        response = case.call(base_url=base_url, headers=headers, session=session)
        assert response.status_code in (400, 401, 403, 404), (operation.label, response.status_code, response.text)

    refused()


@pytest.fixture
def settings_for_contract(settings):
    settings.API_REQUESTS_PER_MINUTE = 100_000  # generated requests are many; rate limiting has its own test


def test_the_answers_of_a_real_assessment_keep_to_the_schema(contract, team, lead):
    """Generated ids seldom name a real assessment, so the answers the contract must describe (levels, with an empty
    not-applicable reason, and inherited ones) are checked against it here once for certain."""
    from assessments import shared_answers
    from assessments.models import Assessment

    schema, headers, base_url = contract
    assessment = Assessment.objects.get(title="Draft")
    practice = assessment.playbook.challenges.first().practices.order_by("order").first()
    platform = shared_answers.create_answer_set(organisation=team.organisation, user=lead, name="Platform")
    inherited = services.AnswerInput(practice, practice.options.get(level=3))
    shared_answers.save_shared_answers(answer_set=platform, user=lead, answers=[inherited])
    shared_answers.inherit_answer_set(assessment=assessment, answer_set=platform, user=lead)
    submitted = Assessment.objects.get(title="Submitted")
    operation = schema["/api/v1/assessments/{id}/answers/"]["GET"]
    for shown in (submitted, assessment):
        response = requests.get(f"{base_url}/api/v1/assessments/{shown.pk}/answers/", headers=headers, timeout=10)
        assert response.status_code == 200 and response.json()
        operation.validate_response(response)
