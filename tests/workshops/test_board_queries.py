"""The facilitator's board costs the same queries however many practices it shows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import services as assessment_services
from assessments.models import Role
from tests.factories import MembershipFactory
from workshops.board import workshop_practices

pytestmark = pytest.mark.django_db


def test_the_board_costs_the_same_queries_whoever_last_changed_each_answer(client_for, lead, workshop):
    """Each card names who last changed the practice's answer: read with the answers, not once per card."""
    client = client_for(lead)
    practices = workshop_practices(workshop)

    def answer_as_someone_else(practice):
        other = MembershipFactory(team=workshop.assessment.team, role=Role.MEMBER).user
        assessment_services.save_answers(
            assessment=workshop.assessment,
            user=other,
            answers=[assessment_services.AnswerInput(practice, practice.options.all()[1])],
        )

    def board_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(workshop.get_absolute_url()).status_code == 200
        return len(queries)

    answer_as_someone_else(practices[0])
    one = board_queries()
    for practice in practices[1:]:
        answer_as_someone_else(practice)
    assert board_queries() == one
